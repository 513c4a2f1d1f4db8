"""Question → ranked procedures with a decision: answer, clarify, fallback or smalltalk.

Retrieval is BM25 over folded unigrams and bigrams of each procedure's name, aliases and
field (each a separate variant; a procedure scores by its best variant). Candidates are
re-ranked by how much of the question they explain, with accented agreement counting more
when the citizen typed diacritics, and a rapidfuzz similarity that forgives typos.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.core.aspects import asks_deadline, aspect_spans
from bot.core.smalltalk import detect_smalltalk
from bot.core.text import Analysis, Normalizer, fold, teencode_variant
from bot.knowledge import Procedure

K1, B = 1.2, 0.5
CANDIDATES = 12


@dataclass(frozen=True)
class Thresholds:
    """Decision thresholds on the calibrated score (0–1); calibrated on the dev set."""

    answer: float = 0.62
    margin: float = 0.08
    clarify: float = 0.42


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
    procedure: int
    tokens: tuple[str, ...]  # accented
    folded: tuple[str, ...]
    terms: tuple[str, ...]  # folded unigrams + bigrams
    text: str  # folded text for fuzzy scoring


def _terms(folded: Sequence[str]) -> list[str]:
    return list(folded) + [f"{a}_{b}" for a, b in itertools.pairwise(folded)]


class Matcher:
    """An in-memory index over procedures; rebuild it when the knowledge base changes."""

    def __init__(
        self,
        procedures: Iterable[Procedure],
        synonyms: dict[str, str] | None = None,
        thresholds: Thresholds | None = None,
    ) -> None:
        self.procedures = tuple(procedures)
        self.normalizer = Normalizer(synonyms)
        self.thresholds = thresholds or Thresholds()
        self._variants: list[_Variant] = []
        for index, procedure in enumerate(self.procedures):
            for text in (procedure.name, *procedure.aliases):
                analysis = self.normalizer.analyze(text)
                folded = tuple(analysis.content_tokens(folded=True))
                if folded:
                    self._variants.append(
                        _Variant(
                            index,
                            tuple(analysis.content_tokens(folded=False)),
                            folded,
                            tuple(_terms(folded)),
                            " ".join(folded),
                        )
                    )
        self._build_bm25()
        self._vocabulary = sorted({t for v in self._variants for t in v.folded if len(t) > 2})
        self._accented_vocab = {t for v in self._variants for t in v.tokens}

    def _build_bm25(self) -> None:
        self._postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for vid, variant in enumerate(self._variants):
            for term, count in Counter(variant.terms).items():
                self._postings[term].append((vid, count))
        n = max(len(self._variants), 1)
        self._idf = {
            term: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5))
            for term, p in self._postings.items()
        }
        self._avg_len = sum(len(v.terms) for v in self._variants) / n if self._variants else 1
        self._max_idf = max(self._idf.values(), default=1.0)

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

    def _bm25(self, terms: Sequence[str]) -> dict[int, float]:
        scores: dict[int, float] = defaultdict(float)
        for term in set(terms):
            idf = self._idf.get(term)
            if idf is None:
                continue
            for vid, tf in self._postings[term]:
                length = len(self._variants[vid].terms)
                norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / self._avg_len))
                scores[vid] += idf * norm
        return scores

    def _weight(self, token: str) -> float:
        return self._idf.get(token, self._max_idf * 0.6)

    def _explain(self, query: list[str], accented: list[str] | None, variant: _Variant) -> float:
        """Share of the question's weight that this variant explains, 0–1."""
        total = sum(self._weight(t) for t in query) or 1.0
        folded_set = set(variant.folded)
        accented_set = set(variant.tokens)
        covered = 0.0
        for i, token in enumerate(query):
            if token not in folded_set:
                continue
            credit = 1.0
            if accented and accented[i] != token and accented[i] not in accented_set:
                credit = 0.6  # same letters, other word: đường vs dương
            covered += self._weight(token) * credit
        q_bigrams = set(_terms(query)[len(query) :])
        v_bigrams = set(variant.terms[len(variant.folded) :])
        bigram = len(q_bigrams & v_bigrams) / len(q_bigrams) if q_bigrams else 1.0
        reverse = len(folded_set & set(query)) / len(folded_set)
        similarity = fuzz.token_set_ratio(" ".join(query), variant.text) / 100
        return 0.5 * covered / total + 0.15 * bigram + 0.15 * reverse + 0.2 * similarity

    def _query_indexes(self, analysis: Analysis, spans: list[tuple[str, int, int]]) -> list[int]:
        """Content tokens, without aspect phrases that never occur in procedure names."""
        dropped: set[int] = set()
        for _, start, end in spans:
            terms = _terms(analysis.folded[start:end])
            if not all(term in self._idf for term in terms):
                dropped.update(range(start, end))
        return [i for i in analysis.content if i not in dropped]

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
        bm25 = self._bm25(_terms(query))
        best_by_procedure: dict[int, float] = {}
        for vid, _ in sorted(bm25.items(), key=lambda kv: -kv[1])[: CANDIDATES * 4]:
            variant = self._variants[vid]
            score = self._explain(query, accented, variant)
            if score > best_by_procedure.get(variant.procedure, 0.0):
                best_by_procedure[variant.procedure] = score
        ranked = sorted(best_by_procedure.items(), key=lambda kv: -kv[1])[:limit]
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
