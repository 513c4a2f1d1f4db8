"""What ranking works on and gives: the question's words, a candidate's features, the weights
that add them up, the calibration models that turn the best candidate into probabilities, and
the result the matcher returns.

Weights and models are fitted on the dev set by `bench/tune_matcher.py`; keep them here so a
retune is a reviewable diff of numbers.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol, TypeVar

from bot.core.text import Analysis
from bot.knowledge import Procedure


@dataclass(frozen=True)
class Weights:
    """How a candidate's features add up to its ranking score (tuned on the dev set)."""

    recall: float = 0.001  # question words the procedure knows anywhere (idf-weighted)
    bigrams: float = 0.355  # question word pairs the procedure knows
    variant_recall: float = 0.003  # … that its best single name/alias explains
    variant_precision: float = 0.378  # share of that name/alias the question covers
    fuzzy: float = 0.057  # rapidfuzz token_set_ratio with that name/alias
    name_precision: float = 0.002  # share of the legal name the question covers
    contrast: float = 0.008  # question words that set it apart from its closest rivals
    missing: float = 0.004  # its own distinctive name words the question lacks (cấp *lại*)
    action: float = 0.192  # it issues anew / reissues / extends / amends unlike what is asked
    unknown: float = 0.6  # weight of a word no procedure knows, relative to the rarest word


# Logistic models over decision features (see `Matcher.decision_features`), fitted by
# bench/tune_matcher.py on tests/eval/questions.yaml: (intercept, coefficients…).
IN_SCOPE_MODEL: tuple[float, ...] = (-9.666, 8.109, 5.17, 1.319, 2.398, -2.856, 2.407, 0.927, 0.493)
TOP1_MODEL: tuple[float, ...] = (-9.346, 7.587, 7.723, 0.734, 2.871, -1.016, 1.58, 1.581, 0.491)


@dataclass(frozen=True)
class Query:
    """The question's content words as the index sees them."""

    words: tuple[str, ...]  # folded, typo-corrected
    accented: tuple[str, ...] | None  # as typed, when the citizen used diacritics
    credit: tuple[float, ...]  # 1, or TYPO_CREDIT for corrected words
    weights: tuple[float, ...]
    bigrams: tuple[str, ...]
    changes: frozenset[str] = frozenset()  # kinds of change asked (see bot.core.actions)

    @cached_property
    def total(self) -> float:
        return sum(self.weights) or 1.0

    @cached_property
    def word_set(self) -> frozenset[str]:
        return frozenset(self.words)

    @cached_property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass(slots=True)
class Candidate:
    """A procedure's features for one question; `score` ranks candidates."""

    index: int
    recall: float
    bigrams: float
    variants: tuple[tuple[float, float, float], ...]  # (recall, precision, fuzzy) per variant
    name_precision: float
    name_recall: float
    matched: tuple[bool, ...]  # which question words the procedure itself knows
    action: float = 0.0  # 1 when it does another thing to the licence than asked
    score: float = 0.0
    contrast: float = 0.0
    missing: float = 0.0


def variant_fit(c: Candidate, w: Weights) -> float:
    """How well the candidate's best name or alias fits the question."""
    return max(
        (w.variant_recall * r + w.variant_precision * p + w.fuzzy * f for r, p, f in c.variants),
        default=0.0,
    )


def score(c: Candidate, w: Weights, fit: float) -> float:
    """A candidate's ranking score: its features weighted, with its `variant_fit`."""
    return (
        w.recall * c.recall
        + w.bigrams * c.bigrams
        + w.name_precision * c.name_precision
        + w.contrast * c.contrast
        - w.missing * c.missing
        - w.action * c.action
        + fit
    )


def logistic(model: Sequence[float], features: Sequence[float]) -> float:
    z = model[0] + sum(c * x for c, x in zip(model[1:], features, strict=True))
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class Match:
    procedure: Procedure
    score: float


@dataclass(frozen=True)
class MatchResult:
    """What the matcher decided for one question."""

    outcome: str  # answer | clarify | fallback | smalltalk
    aspect: str | None
    matches: tuple[Match, ...]
    analysis: Analysis
    smalltalk: str | None = None
    deadline: bool = False  # the citizen asks for the date the result will be ready
    confidence: float = 0.0  # calibrated probability that the best match is right
    in_scope: float = 0.0  # calibrated probability that the question is about our procedures
    by_context: bool = False  # answered only because it is of the procedure under discussion
    compared: bool = False  # the question asks how the best two differ
    # changes asked (reissue, extend, amend: bot.core.actions) that the answer does not offer
    unoffered: frozenset[str] = frozenset()

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None


# ------------------------------------------------------------ features among the closest rivals

SIBLING_SHARE = 0.5  # legal names sharing at least half their words: one family of procedures


def sibling_does_it_better(
    c: Candidate, rivals: Sequence[Candidate], legal_words: Sequence[frozenset[str]]
) -> bool:
    """Whether a sibling of `c` (a rival whose legal name shares most words with its own)
    does the change asked better: only then is `c` the wrong one of its family. "mất giấy
    chứng nhận chuyển giao công nghệ" has no "cấp lại" of that certificate; the "cấp lại" of
    another certificate must not win by the action alone."""
    own = legal_words[c.index]
    return any(
        d.action < c.action
        and len(own & legal_words[d.index]) >= SIBLING_SHARE * len(own | legal_words[d.index])
        for d in rivals
    )


CHOICES = 4  # candidates a clarification offers, at most
CHOICE_SHARE = 0.5  # … beyond the best two, those scoring at least this share of the best


class Scored(Protocol):
    @property
    def score(self) -> float: ...


ScoredT = TypeVar("ScoredT", bound=Scored)


def offered(ranked: Sequence[ScoredT]) -> list[ScoredT]:
    """What a clarification offers: the best two, and up to `CHOICES` in all that are close to
    the best (X-ray licence or declaration, not a testing laboratory that shares "phòng")."""
    floor = CHOICE_SHARE * ranked[0].score if ranked else 0.0
    return [*ranked[:2], *(c for c in ranked[2:CHOICES] if c.score >= floor)]


TIE_MARGIN = 0.01  # scores this close, with the same question words known: a tie


def tied_with_best(ranked: Sequence[Candidate]) -> list[Candidate]:
    """The best candidate and those the question cannot tell from it: they know exactly the
    same question words and score within `TIE_MARGIN` ("giấy phép bị mất": which licence?)."""
    best = ranked[0]
    return [best] + [
        c for c in ranked[1:] if c.matched == best.matched and best.score - c.score <= TIE_MARGIN
    ]


def missing_distinctive(
    rivals: Sequence[Candidate], legal_words: Sequence[frozenset[str]], asked: frozenset[str]
) -> dict[int, float]:
    """For each rival, the share of its distinctive legal-name words (those fewer than half of
    the rivals' names have) that the question does not contain."""
    names = {c.index: legal_words[c.index] for c in rivals}
    counts = Counter(itertools.chain.from_iterable(names.values()))
    n = len(rivals)
    weight_of = {k: math.log(1 + n / k) for k in range(1, math.ceil(n / 2))}  # k < n / 2
    result = {}
    for index, words in names.items():
        weight = {w: weight_of[counts[w]] for w in words if counts[w] in weight_of}
        total = math.fsum(weight.values())
        lacking = math.fsum(v for w, v in weight.items() if w not in asked)
        result[index] = lacking / total if total else 0.0
    return result
