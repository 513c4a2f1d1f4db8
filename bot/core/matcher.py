"""Question → ranked procedures with a decision: answer, clarify, fallback or smalltalk.

Candidates come from the index of folded words and word pairs over every procedure's name,
aliases and field (`bot.core.index`). Each candidate is scored by how much of the question
it explains (idf-weighted, with accented agreement counting more when the citizen typed
diacritics and typo-corrected words counting less), by how well its best name or alias fits
(precision and a rapidfuzz similarity) and by whether it does what the question asks to the
licence (issue, reissue, extend, amend: `bot.core.actions`). Two small logistic models,
fitted on the dev set by `bench/tune_matcher.py`, turn the top candidate's features into
calibrated probabilities: that the question is about one of our procedures at all, and that
the top one is right. A tie the question cannot settle is settled by the procedure under
discussion, or offered as choices (`bot.core.doubts`).
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.core.actions import changes
from bot.core.aspects import (
    NAMING_ASPECTS,
    asks_deadline,
    aspect_spans,
    question_spans,
)
from bot.core.doubts import Doubts, compares_two
from bot.core.index import bigrams
from bot.core.ranking import (
    IN_SCOPE_MODEL,
    TOP1_MODEL,
    Candidate,
    Match,
    MatchResult,
    Query,
    Weights,
    logistic,
    missing_distinctive,
    score,
    sibling_does_it_better,
    tied_with_best,
    variant_fit,
)
from bot.core.smalltalk import asks_status, detect_contact, detect_smalltalk
from bot.core.text import Analysis, teencode_variant, without_repeats
from bot.core.thresholds import Thresholds
from bot.knowledge import Procedure

CANDIDATES = 8
RIVALS = 6  # the closest candidates among which words are weighed for contrast
ACCENT_MISMATCH_CREDIT = 0.5  # same letters, another word: đường vs dương
TYPO_CREDIT = 0.75  # a word matched only after typo correction
FIELD_CREDIT = 0.6  # a word only sibling procedures of the same field use (phòng khám)
TOPIC_MIN_IN_SCOPE = 0.3  # "x quang" (0.53) is a topic; "có cần công chứng không" (0.02) is not


class Understood(NamedTuple):
    analysis: Analysis
    spans: list[tuple[str, int, int]]  # aspect phrases found, in priority order
    smalltalk: str | None
    query: Query


class Matcher(Doubts):
    """Questions → procedures over the index; rebuild it when the knowledge base changes."""

    def __init__(
        self,
        procedures: Iterable[Procedure],
        synonyms: dict[str, str] | None = None,
        thresholds: Thresholds | None = None,
        weights: Weights | None = None,
    ) -> None:
        super().__init__(procedures, synonyms)
        self.thresholds = thresholds or Thresholds()
        self.weights = weights or Weights()

    # ------------------------------------------------------------ query side

    def _correct(self, token: str) -> str:
        """Replace an unknown folded token by the closest indexed one (typos)."""
        if token in self._idf or token in self._real_words or not self._vocabulary:
            return token  # a word the knowledge base spells so is no typo (xương ≠ lường)
        for variant in (teencode_variant(token), without_repeats(token)):
            if variant in self._idf:
                return variant
        if len(token) < 4:  # one letter off a short syllable is another word: lang ≠ bang
            return token
        found = process.extractOne(
            token, self._vocabulary, scorer=Levenshtein.normalized_similarity, score_cutoff=0.79
        )
        return found[0] if found else token

    def _weight(self, word: str) -> float:
        return self._idf.get(word, self._max_idf * self.weights.unknown)

    def _query_indexes(self, analysis: Analysis, spans: list[tuple[str, int, int]]) -> list[int]:
        """Content tokens, without aspect phrases that never occur in procedure names, and
        without any aspect phrase when nothing else is asked ("kết quả thế nào?")."""
        dropped: set[int] = set()
        for aspect, start, end in spans:
            words = analysis.folded[start:end]
            indexed = all(term in self._idf for term in (*words, *bigrams(words)))
            if aspect not in NAMING_ASPECTS or not indexed:
                dropped.update(range(start, end))
        aspects = {i for _, start, end in spans for i in range(start, end)}
        if all(i in aspects for i in analysis.content):
            return []
        return [i for i in analysis.content if i not in dropped]

    def make_query(self, analysis: Analysis, indexes: Sequence[int]) -> Query:
        typed = [analysis.folded[i] for i in indexes]
        words = tuple(self._correct(t) for t in typed)
        credit = tuple(1.0 if w == t else TYPO_CREDIT for w, t in zip(words, typed, strict=True))
        accented = tuple(analysis.tokens[i] for i in indexes) if analysis.accented else None
        weights = tuple(self._weight(w) for w in words)
        return Query(words, accented, credit, weights, tuple(bigrams(words)), changes(words))

    def candidate(
        self,
        index: int,
        query: Query,
        fuzzy: Sequence[float],
        bigram_postings: Sequence[frozenset[int]],
    ) -> Candidate:
        """Every feature of one procedure for one question; `fuzzy` holds the similarity of
        the question to each of its names and aliases, `bigram_postings` the procedures that
        know each word pair of the question (both computed once per question by `rank`)."""
        spellings = self._spellings[index]
        field_words = self._field_words[index]
        explained = [0.0] * len(query.words)
        own = [False] * len(query.words)
        accented = query.accented
        for i, word in enumerate(query.words):
            seen = spellings.get(word)
            if seen is None:
                if word in field_words:
                    explained[i] = query.weights[i] * query.credit[i] * FIELD_CREDIT
                continue
            credit = query.credit[i]
            if accented and accented[i] != word and accented[i] not in seen:
                credit *= ACCENT_MISMATCH_CREDIT
            explained[i] = query.weights[i] * credit
            own[i] = True
        total = query.total
        recall = sum(explained) / total
        bigrams = (
            sum(index in known for known in bigram_postings) / len(bigram_postings)
            if bigram_postings
            else recall
        )
        q_set, idf = query.word_set, self._idf.__getitem__
        variants = []
        for variant, v_total, similarity in zip(
            self._variants[index], self._variant_totals[index], fuzzy, strict=True
        ):
            covered = math.fsum(map(idf, q_set & variant.words))
            variants.append((covered / total, covered / v_total, similarity))
        name_words = self._name_words[index]
        name_covered = math.fsum(map(idf, q_set & name_words))
        return Candidate(
            index,
            recall,
            bigrams,
            tuple(variants),
            name_covered / self._name_totals[index],
            sum(e for e, w in zip(explained, query.words, strict=True) if w in name_words) / total,
            tuple(own),
            self._actions[index].mismatch(query.changes),
        )

    def _candidates(self, query: Query) -> list[int]:
        """Procedures sharing the most idf weight with the question (cheap first pass)."""
        scores: dict[int, float] = defaultdict(float)
        terms = sorted(
            (t for t in {*query.words, *query.bigrams} if t in self._idf),
            key=lambda t: (len(self._postings[t]), t),
        )
        common = max(40, len(self.procedures) // 25)
        for position, term in enumerate(terms):
            postings = self._postings[term]
            if position and len(postings) > common:
                break  # rarer words already found the candidates; common ones only re-rank
            idf = self._idf[term]
            for index in postings:
                scores[index] += idf
        # ties go to the lower index, whatever order this process's string hashing gave
        return heapq.nlargest(CANDIDATES, sorted(scores), key=scores.__getitem__)

    def rank(self, query: Query, weights: Weights | None = None) -> list[Candidate]:
        indexes = self._candidates(query)
        texts = [v.text for i in indexes for v in self._variants[i]]
        similarity = [0.0] * len(texts)  # one call for every name: the question is read once
        found = process.extract(query.text, texts, scorer=fuzz.token_set_ratio, limit=None)
        for _, value, k in found:
            similarity[k] = value / 100
        known = [self._postings.get(b, frozenset()) for b in query.bigrams]
        scored, start = [], 0
        for i in indexes:
            end = start + len(self._variants[i])
            scored.append(self.candidate(i, query, similarity[start:end], known))
            start = end
        return self.rerank(query, scored, weights)

    def rerank(
        self, query: Query, candidates: Sequence[Candidate], weights: Weights | None = None
    ) -> list[Candidate]:
        """Score, then score again with contrast: among the closest rivals, a word only one of
        them knows ("mất" for cấp lại) decides more than a word they all know ("x quang")."""
        w = weights or self.weights
        fit = {c.index: variant_fit(c, w) for c in candidates}  # the same in both passes
        for c in candidates:
            c.contrast = c.missing = 0.0
            c.score = score(c, w, fit[c.index])
        ranked = sorted(candidates, key=lambda c: -c.score)
        rivals = ranked[:RIVALS]
        if not rivals:
            return ranked
        n_words = len(rivals[0].matched)
        known_by = [sum(c.matched[i] for c in rivals) for i in range(n_words)]
        local = [math.log(1 + len(rivals) / k) if k else 0.0 for k in known_by]
        total = sum(local) or 1.0
        names = self._legal_words
        missing = missing_distinctive(rivals, names, frozenset(query.words))
        for c in ranked:
            c.contrast = sum(w for w, m in zip(local, c.matched, strict=True) if m) / total
            c.missing = missing.get(c.index, 0.0)
            if c.action and not sibling_does_it_better(c, rivals, names):
                c.action = 0.0
            c.score = score(c, w, fit[c.index])
        return sorted(ranked, key=lambda c: -c.score)

    def decision_features(self, query: Query, ranked: Sequence[Candidate]) -> list[float]:
        """What the calibration models see: the best candidate and how far it leads."""
        top = ranked[0]
        second = ranked[1].score if len(ranked) > 1 else 0.0
        marked = query.accented or query.words
        known = sum(  # as typed: "quỹ" is not known because "quy" (hợp quy) is
            w
            for w, word, typed in zip(query.weights, query.words, marked, strict=True)
            if word in self._idf and (typed == word or typed in self._marked)
        )
        distinct = max((self._idf.get(w, 0.0) for w in query.words), default=0.0)
        return [
            top.score,
            top.score - second,
            top.bigrams,
            top.name_recall,
            1 - known / query.total,  # share of the question no procedure knows
            math.log(len(query.words)),
            distinct / self._max_idf,
            # Modifiers follow their head in Vietnamese: the last word is the most specific
            # ("giấy phép kinh doanh *rượu*"); the best procedure should know it.
            float(top.matched[-1]),
        ]

    def understand(self, text: str) -> Understood:
        """The question analysed: its aspect phrases, small talk and the words left to match
        (the tuner fits on exactly what `search` ranks)."""
        analysis = self.normalizer.analyze(text)
        spans = aspect_spans(analysis)
        asked = {i for _, start, end in spans for i in range(start, end)}
        found = detect_smalltalk(analysis)
        if asks_status(analysis):
            found = ("status", set(range(len(analysis.tokens))))  # whatever else it names
        elif (covered := detect_contact(analysis, set(analysis.content) - asked)) is not None:
            found = ("contact", covered)
        bare = question_spans(analysis, self._idf.__contains__)
        indexes = self._query_indexes(analysis, spans + bare)
        if found:
            indexes = [i for i in indexes if i not in found[1]]
        smalltalk = found[0] if found else None
        return Understood(analysis, spans, smalltalk, self.make_query(analysis, indexes))

    def search(self, text: str, limit: int = 5, context: str | None = None) -> MatchResult:
        """`context`: the key of the procedure under discussion, which settles a tie between
        procedures the question alone cannot tell apart ("giấy phép của tôi bị cháy")."""
        analysis, spans, smalltalk, query = self.understand(text)
        aspect = spans[0][0] if spans else None
        deadline = asks_deadline(analysis)
        if deadline:
            aspect = "time"
        ranked = self.rank(query) if query.words else []
        if not ranked:
            outcome = "smalltalk" if smalltalk else "fallback"
            return MatchResult(outcome, aspect, (), analysis, smalltalk, deadline)
        features = self.decision_features(query, ranked)
        in_scope = logistic(IN_SCOPE_MODEL, features)
        confidence = logistic(TOP1_MODEL, features)
        t = self.thresholds
        if in_scope < t.clarify:
            outcome = "smalltalk" if smalltalk else "fallback"
        elif confidence >= t.answer:
            outcome = "answer"
        else:
            outcome = "clarify"
        offer = smalltalk is None and in_scope >= TOPIC_MIN_IN_SCOPE
        compared = offer and compares_two(analysis, ranked)
        if compared or (offer and self._names_a_topic(query.words)):
            # "hợp quy khác hợp chuẩn thế nào": offer both; "bưu chính", "x quang": offer
            # the procedures, guess none
            outcome = "clarify"
        elif outcome == "answer" and len(tied_with_best(ranked)) > 1:
            outcome = "clarify"  # "giấy phép bị mất": which licence?
        elif outcome == "answer" and self._why_unsaid(analysis, query, ranked):
            outcome = "clarify"  # "cấp lại giấy phép bưu chính": lost, or expired?
        elif outcome == "answer" and self._lacks_a_decisive_word(query, ranked):
            outcome = "clarify"  # "giấy phép … người phụ trách an toàn": not the certificate
        by_context = (
            outcome == "clarify"
            and not compared
            and in_scope >= t.clarify  # about our procedures at all ("mẫu đơn đâu" is not)
            and (chosen := self._discussed(ranked, context)) is not None
        )
        if by_context:
            ranked = [chosen, *(c for c in ranked if c is not chosen)]
            outcome = "answer"  # "bị cháy" after the X-ray licence: its cấp lại
        if outcome != "smalltalk" and self._names_uncovered_subject(analysis, ranked[0].index):
            outcome = "fallback"  # "… quyền sử dụng đất": land, whatever words it shares
        if not deadline:
            aspect = self._asked_aspect(analysis, spans, ranked[0].index)
        matches = tuple(Match(self.procedures[c.index], round(c.score, 4)) for c in ranked[:limit])
        return MatchResult(
            outcome,
            aspect,
            matches,
            analysis,
            smalltalk,
            deadline,
            round(confidence, 4),
            round(in_scope, 4),
            by_context,
            compared,
            self._unoffered(query, ranked[0].index) if outcome == "answer" else frozenset(),
        )

    def _unoffered(self, query: Query, best: int) -> frozenset[str]:
        """The changes asked when the answer offers none of them: "mất giấy chứng nhận chuyển
        giao công nghệ" is answered with its first issue, there being no reissue to offer."""
        missing = query.changes - self._actions[best].changes
        return missing if missing == query.changes else frozenset()

    def _asked_aspect(
        self, analysis: Analysis, spans: Sequence[tuple[str, int, int]], best: int
    ) -> str | None:
        """The first aspect phrase that is not part of the best procedure's own name: in
        "đăng ký kết quả nghiên cứu" the words "kết quả" name the procedure, they do not ask
        for its result."""
        own = self._own_words[self.procedures[best].key]
        for aspect, start, end in spans:
            words = analysis.folded[start:end]
            if aspect not in NAMING_ASPECTS or not all(w in own for w in words):
                return aspect
        return None
