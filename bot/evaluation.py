"""Matcher quality on a labelled question set: top-1/top-3, confident mistakes, rejections.

Shared by the quality test (floors) and `bench/match_quality.py` (figures), so both measure
the same thing. The set's format is documented in `tests/eval/questions.yaml`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.core.matcher import Matcher, MatchResult
from bot.core.text import has_diacritics


@dataclass(frozen=True)
class Question:
    q: str
    expect: str | None
    accept: tuple[str, ...] = ()
    aspect: str | None = None
    kind: str = "in_scope"  # in_scope | out_of_scope | smalltalk
    pair: int | None = None

    @property
    def keys(self) -> set[str]:
        return {self.expect, *self.accept} if self.expect else set()

    @property
    def accented(self) -> bool:
        return has_diacritics(self.q.lower())


def load_questions(path: Path) -> list[Question]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    questions = []
    for item in data["questions"]:
        expect = item.get("expect")
        kind = item.get("kind") or ("in_scope" if expect else "out_of_scope")
        questions.append(
            Question(
                q=str(item["q"]),
                expect=expect,
                accept=tuple(item.get("accept") or ()),
                aspect=item.get("aspect"),
                kind=kind,
                pair=item.get("pair"),
            )
        )
    return questions


@dataclass
class Outcome:
    question: Question
    result: MatchResult

    @property
    def ranked(self) -> list[str]:
        return [m.procedure.key for m in self.result.matches]

    @property
    def top1(self) -> bool:
        return bool(self.ranked) and self.ranked[0] in self.question.keys

    @property
    def top3(self) -> bool:
        return bool(self.question.keys & set(self.ranked[:3]))

    @property
    def confident_wrong(self) -> bool:
        return self.result.outcome == "answer" and not self.top1

    @property
    def rejected(self) -> bool:
        return self.result.outcome in ("fallback", "smalltalk")


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def _share(self, items: Iterable[Outcome], attribute: str) -> float:
        chosen = list(items)
        return sum(getattr(o, attribute) for o in chosen) / len(chosen) if chosen else 0.0

    def in_scope(self, accented: bool | None = None) -> list[Outcome]:
        return [
            o
            for o in self.outcomes
            if o.question.kind == "in_scope"
            and (accented is None or o.question.accented == accented)
        ]

    def top1(self, accented: bool | None = None) -> float:
        return self._share(self.in_scope(accented), "top1")

    def top3(self, accented: bool | None = None) -> float:
        return self._share(self.in_scope(accented), "top3")

    def confident_wrong(self) -> float:
        """Share of in-scope questions answered confidently with the wrong procedure."""
        return self._share(self.in_scope(), "confident_wrong")

    def out_of_scope_rejected(self) -> float:
        return self._share(
            (o for o in self.outcomes if o.question.kind == "out_of_scope"), "rejected"
        )

    def smalltalk_recognised(self) -> float:
        chosen = [o for o in self.outcomes if o.question.kind == "smalltalk"]
        hits = sum(o.result.outcome == "smalltalk" for o in chosen)
        return hits / len(chosen) if chosen else 0.0

    def aspect_accuracy(self) -> float:
        chosen = [o for o in self.in_scope() if o.question.aspect]
        hits = sum(o.result.aspect == o.question.aspect for o in chosen)
        return hits / len(chosen) if chosen else 0.0

    def pair_gap(self) -> float:
        """Top-1 of accented twins minus their unaccented twins (points of share)."""
        pairs: dict[int, dict[bool, Outcome]] = {}
        for o in self.in_scope():
            if o.question.pair is not None:
                pairs.setdefault(o.question.pair, {})[o.question.accented] = o
        complete = [p for p in pairs.values() if len(p) == 2]
        if not complete:
            return 0.0
        accented = sum(p[True].top1 for p in complete) / len(complete)
        plain = sum(p[False].top1 for p in complete) / len(complete)
        return accented - plain

    def failures(self) -> list[Outcome]:
        return [
            o
            for o in self.outcomes
            if (o.question.kind == "in_scope" and (not o.top1 or o.result.outcome != "answer"))
            or (o.question.kind == "out_of_scope" and not o.rejected)
            or (o.question.kind == "smalltalk" and o.result.outcome != "smalltalk")
        ]


def evaluate(matcher: Matcher, questions: Iterable[Question]) -> Report:
    return Report([Outcome(q, matcher.search(q.q)) for q in questions])
