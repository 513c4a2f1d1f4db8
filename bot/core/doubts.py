"""When the best candidate is not answered on its own: the question cannot tell it from
another (a topic, a comparison, a reissue without its reason, a document or negation it never
says), the procedure under discussion settles it, or it names a subject we do not cover.
The matcher asks these after ranking; each is a reviewable rule with the case that made it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from bot.core.actions import REQUESTS, count_changes
from bot.core.aspects import comparison_spans
from bot.core.index import ProcedureIndex
from bot.core.ranking import Candidate, Query, offered
from bot.core.text import Analysis
from bot.core.uncovered import uncovered_subjects

TOPIC_WORDS, TOPIC_PROCEDURES = 2, 3  # "bưu chính": so few words, so many procedures
DOCUMENT_KINDS = frozenset({"giay_phep", "chung_chi", "chung_nhan", "xac_nhan"})
# a branch, not the head office: "chi nhánh", "văn phòng đại (diện)" ("văn phòng" alone may be
# the company's own office, "đại diện" a legal representative)
BRANCHES = frozenset({"chi_nhanh", "phong_dai"})
NEGATION = "khong"  # a content word only before what it negates (bot.core.text)
COMPARED_SHARE = 0.8  # of the best score, reached by the second of two things compared
FAMILY_SHARE = 0.5  # of the idf weight of a legal name, shared with the procedure discussed


def compares_two(analysis: Analysis, ranked: Sequence[Candidate]) -> bool:
    """The question asks how two things differ, and the best two candidates are about as
    close to it: probably those two (hợp quy, hợp chuẩn)."""
    return (
        len(ranked) > 1
        and ranked[1].score >= COMPARED_SHARE * ranked[0].score
        and bool(comparison_spans(analysis))
    )


class Doubts(ProcedureIndex):
    """The rules that read the index: topics, families, decisive words, uncovered subjects."""

    def _discussed(self, ranked: Sequence[Candidate], context: str | None) -> Candidate | None:
        """Among the choices a clarification would offer, the one of the family under
        discussion that knows every question word the best candidate knows."""
        best = ranked[0]
        return next(
            (
                c
                for c in offered(ranked)
                if c.matched == best.matched and self._related(c.index, context)
            ),
            None,
        )

    def _lacks_a_decisive_word(self, query: Query, ranked: Sequence[Candidate]) -> bool:
        """The question names a kind of document (giấy phép, chứng chỉ …) or a branch (chi
        nhánh, văn phòng đại diện), or negates ("không dùng ngân sách"), and the best
        candidate's name and aliases never say that word while another choice's do: the best
        may have won on other words ("người phụ trách an toàn" of the radiation worker's
        certificate; "sử dụng ngân sách" without "không"; the organisation's own amendment
        for its branch's)."""
        decisive = [b for b in query.bigrams if b in DOCUMENT_KINDS or b in BRANCHES]
        decisive += [w for w in query.words if w == NEGATION]
        others = offered(ranked)[1:]
        return any(
            ranked[0].index not in by and any(c.index in by for c in others)
            for by in (self._postings.get(term, frozenset()) for term in decisive)
        )

    def _why_unsaid(self, analysis: Analysis, query: Query, ranked: Sequence[Candidate]) -> bool:
        """The question names a change and nothing that says why ("cấp lại giấy phép bưu
        chính": no "mất", no "hết hạn"), and a procedure doing the same to the same licence
        in another case ("… khi hết hạn" beside "… khi bị mất") offers that change too and
        knows the same question words: which of them is a guess that an alias ("mất giấy
        phép bưu chính") must not make."""
        typed = count_changes(analysis.typed, REQUESTS)
        if not query.changes or count_changes(analysis.folded) > typed:
            return False  # no change asked, or a reason typed that synonyms made one
        best = ranked[0]
        done = self._done_when[best.index]
        return done is not None and any(
            c.matched == best.matched
            and self._done_when[c.index] == done
            and not self._actions[c.index].mismatch(query.changes)
            for c in offered(ranked)[1:]
        )

    def _related(self, index: int, context: str | None) -> bool:
        """Whether procedure `index` is of the family of the procedure keyed `context`: their
        legal names share at least half the idf weight of the shorter one ("giấy phép bưu
        chính" and its "cấp lại"; not "giấy phép" of X-ray, whose shared words are common)."""
        other = self._index_of.get(context) if context else None
        if other is None:
            return False
        a, b = self._legal_words[index], self._legal_words[other]
        weight = self._idf.get
        shared = math.fsum(weight(w, 0.0) for w in a & b)
        return shared >= FAMILY_SHARE * min(math.fsum(weight(w, 0.0) for w in x) for x in (a, b))

    def _names_a_topic(self, words: Sequence[str]) -> bool:
        """A question of one or two words that several procedures' names all share."""
        if not 0 < len(words) <= TOPIC_WORDS:
            return False
        sharing = sum(all(w in own for w in words) for own in self._own_words.values())
        return sharing >= TOPIC_PROCEDURES

    def _names_uncovered_subject(self, analysis: Analysis, best: int) -> bool:
        """The question names a subject we do not cover (`bot.core.uncovered`) that the best
        candidate's name and aliases do not contain as such."""
        own = [f" {v.text} " for v in self._variants[best]]
        return any(
            not any(f" {' '.join(words)} " in text for text in own)
            for words in uncovered_subjects(analysis)
        )
