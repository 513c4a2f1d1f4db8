"""Question → ranked procedures with a decision: answer, clarify, fallback or smalltalk.

Retrieval is BM25 over folded unigrams and bigrams of each procedure's name, aliases and
field (each a separate variant; a procedure scores by its best variant). Candidates are
re-ranked by how much of the question they explain, with accented agreement counting more
when the citizen typed diacritics, and a rapidfuzz similarity that forgives typos.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.core.aspects import asks_deadline, aspect_spans
from bot.core.smalltalk import detect_smalltalk
from bot.core.text import Analysis, Normalizer, fold, teencode_variant
from bot.core.thresholds import Thresholds
from bot.knowledge import Procedure

CANDIDATES = 20


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

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None


@dataclass(frozen=True)
class _Variant:
    """One way a procedure is named: its legal name or an alias."""

    procedure: int
    folded: tuple[str, ...]
    bigrams: frozenset[str]
    text: str  # folded, for fuzzy similarity


@dataclass(frozen=True)
class Weights:
    """How the features of a candidate add up to its score (tuned on the dev set)."""

    recall: float = 0.40  # question words the procedure knows anywhere (idf-weighted)
    bigrams: float = 0.15  # question word pairs the procedure knows
    variant_recall: float = 0.15  # … that its best single name/alias explains
    variant_precision: float = 0.15  # share of that name/alias the question covers
    fuzzy: float = 0.15  # rapidfuzz token_set_ratio with that name/alias
    unknown: float = 0.6  # weight of a word no procedure knows, relative to the rarest word


def _bigrams(folded: Sequence[str]) -> list[str]:
    return [f"{a}_{b}" for a, b in itertools.pairwise(folded)]


class Matcher:
    """An in-memory index over procedures; rebuild it when the knowledge base changes."""

    def __init__(
        self,
        procedures: Iterable[Procedure],
        synonyms: dict[str, str] | None = None,
        thresholds: Thresholds | None = None,
        weights: Weights | None = None,
    ) -> None:
        self.procedures = tuple(procedures)
        self.normalizer = Normalizer(synonyms)
        self.thresholds = thresholds or Thresholds()
        self.weights = weights or Weights()
        self._variants: list[list[_Variant]] = []
        self._accented: list[dict[str, set[str]]] = []  # folded → accented spellings seen
        postings: dict[str, set[int]] = defaultdict(set)
        for index, procedure in enumerate(self.procedures):
            variants, accented = [], defaultdict(set)
            for text in (procedure.name, *procedure.aliases, procedure.field):
                analysis = self.normalizer.analyze(text)
                folded = tuple(analysis.content_tokens(folded=True))
                for plain, marked in zip(folded, analysis.content_tokens(False), strict=True):
                    accented[plain].add(marked)
                for term in (*folded, *_bigrams(folded)):
                    postings[term].add(index)
                if folded and text is not procedure.field:
                    variants.append(
                        _Variant(index, folded, frozenset(_bigrams(folded)), " ".join(folded))
                    )
            self._variants.append(variants)
            self._accented.append(dict(accented))
        n = max(len(self.procedures), 1)
        self._postings = {term: sorted(ids) for term, ids in postings.items()}
        self._idf = {
            term: math.log(1 + (n - len(ids) + 0.5) / (len(ids) + 0.5))
            for term, ids in self._postings.items()
        }
        self._max_idf = max(self._idf.values(), default=1.0)
        self._vocabulary = sorted(t for t in self._idf if "_" not in t and len(t) > 2)

    # ------------------------------------------------------------ query side

    def _correct(self, token: str) -> str:
        """Replace an unknown folded token by the closest indexed one (typos)."""
        if token in self._idf or not self._vocabulary:
            return token
        variant = teencode_variant(token)
        if variant in self._idf:
            return variant
        if len(token) < 3:
            return token
        found = process.extractOne(
            token,
            self._vocabulary,
            scorer=Levenshtein.normalized_similarity,
            score_cutoff=0.74,
        )
        return found[0] if found else token

    def _weight(self, token: str) -> float:
        return self._idf.get(token, self._max_idf * self.weights.unknown)

    def _query_indexes(self, analysis: Analysis, spans: list[tuple[str, int, int]]) -> list[int]:
        """Content tokens, without aspect phrases that never occur in procedure names."""
        dropped: set[int] = set()
        for _, start, end in spans:
            words = analysis.folded[start:end]
            if not all(term in self._idf for term in (*words, *_bigrams(words))):
                dropped.update(range(start, end))
        return [i for i in analysis.content if i not in dropped]

    def _score(self, index: int, query: list[str], accented: list[str] | None) -> float:
        w = self.weights
        known = self._accented[index]
        total = sum(self._weight(t) for t in query) or 1.0
        recall = 0.0
        for i, token in enumerate(query):
            spellings = known.get(token)
            if spellings is None:
                continue
            credit = 1.0
            if accented and accented[i] != token and accented[i] not in spellings:
                credit = 0.5  # same letters, another word: đường vs dương
            recall += self._weight(token) * credit
        recall /= total
        q_bigrams = _bigrams(query)
        bigram = (
            sum(1 for b in q_bigrams if index in self._posting_set(b)) / len(q_bigrams)
            if q_bigrams
            else recall
        )
        q_set, q_text = set(query), " ".join(query)
        best_variant = 0.0
        for variant in self._variants[index]:
            v_set = set(variant.folded)
            shared = q_set & v_set
            v_recall = sum(self._weight(t) for t in shared) / total
            v_total = sum(self._weight(t) for t in v_set) or 1.0
            v_precision = sum(self._weight(t) for t in shared) / v_total
            similarity = fuzz.token_set_ratio(q_text, variant.text) / 100
            best_variant = max(
                best_variant,
                w.variant_recall * v_recall
                + w.variant_precision * v_precision
                + w.fuzzy * similarity,
            )
        return w.recall * recall + w.bigrams * bigram + best_variant

    def _posting_set(self, term: str) -> set[int] | list[int]:
        return self._postings.get(term, ())  # type: ignore[return-value]

    def _candidates(self, query: list[str]) -> list[int]:
        """Procedures sharing the most idf weight with the question (cheap first pass)."""
        scores: dict[int, float] = defaultdict(float)
        for term in {*query, *_bigrams(query)}:
            idf = self._idf.get(term)
            if idf is not None:
                for index in self._postings[term]:
                    scores[index] += idf
        return [i for i, _ in sorted(scores.items(), key=lambda kv: -kv[1])[:CANDIDATES]]

    def search(self, text: str, limit: int = 5) -> MatchResult:
        analysis = self.normalizer.analyze(text)
        spans = aspect_spans(analysis)
        aspect = spans[0][0] if spans else None
        deadline = asks_deadline(analysis)
        if deadline:
            aspect = "time"
        smalltalk_found = detect_smalltalk(analysis)
        smalltalk = smalltalk_found[0] if smalltalk_found else None
        indexes = self._query_indexes(analysis, spans)
        if smalltalk_found:
            indexes = [i for i in indexes if i not in smalltalk_found[1]]
        query = [self._correct(analysis.folded[i]) for i in indexes]
        accented = [analysis.tokens[i] for i in indexes] if analysis.accented else None
        if not query:
            outcome = "smalltalk" if smalltalk else "fallback"
            return MatchResult(outcome, aspect, (), analysis, smalltalk, deadline)
        scored = [(i, self._score(i, query, accented)) for i in self._candidates(query)]
        ranked = sorted(scored, key=lambda kv: -kv[1])[:limit]
        matches = tuple(Match(self.procedures[i], round(s, 4)) for i, s in ranked)
        outcome = self._decide(matches, smalltalk)
        return MatchResult(outcome, aspect, matches, analysis, smalltalk, deadline)

    def _decide(self, matches: Sequence[Match], smalltalk: str | None) -> str:
        t = self.thresholds
        top = matches[0].score if matches else 0.0
        second = matches[1].score if len(matches) > 1 else 0.0
        if top >= t.answer and top - second >= t.margin:
            return "answer"
        if top >= t.clarify:
            return "clarify"
        return "smalltalk" if smalltalk else "fallback"

    def keyword_search(self, text: str, limit: int = 10) -> list[Procedure]:
        """Procedures whose name or aliases contain the folded keywords (for /tim)."""
        words = fold(" ".join(self.normalizer.analyze(text).folded)).split()
        if not words:
            return []
        hits = []
        for procedure in self.procedures:
            haystack = fold(" ".join((procedure.name, *procedure.aliases)).lower())
            if all(word in haystack for word in words):
                hits.append(procedure)
        return hits[:limit] or [m.procedure for m in self.search(text, limit).matches]
