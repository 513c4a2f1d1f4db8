"""The index the matcher searches: built once per knowledge base, rebuilt when it changes."""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.core.actions import Actions
from bot.core.text import Normalizer, fold
from bot.knowledge import Procedure

_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Variant:
    """One way a procedure is named: its legal name or an alias."""

    folded: tuple[str, ...]
    words: frozenset[str]
    text: str  # folded, for fuzzy similarity
    is_name: bool


def bigrams(folded: Sequence[str]) -> list[str]:
    return [f"{a}_{b}" for a, b in itertools.pairwise(folded)]


def _words_in_details(procedures: Sequence[Procedure]) -> frozenset[str]:
    """Folded words of every procedure's details (documents, fees, steps …): real words."""
    words: set[str] = set()
    for p in procedures:
        texts = [p.result, p.conditions, p.processing_time.text, *p.steps, *p.legal_basis]
        texts += [d.name for d in p.documents] + [f.text for f in p.fees]
        words.update(" ".join(t for t in texts if t).lower().split())
    # Split first, then clean and fold each distinct chunk once: the details are megabytes.
    return frozenset(fold(w) for chunk in words for w in _WORD.findall(chunk))


def _before_case(name: Sequence[str]) -> tuple[str, ...] | None:
    """What a legal name does, when it names the case it is for after "khi": "cấp lại giấy
    phép bưu chính" of "… khi hết hạn" and of "… khi bị mất hoặc hư hỏng"."""
    return tuple(name[: name.index("khi")]) if "khi" in name[1:] else None


class ProcedureIndex:
    """Inverted index of folded words and word pairs over every procedure's name, aliases and
    field, with idf weights, the accented spellings seen and each name's words."""

    def __init__(
        self,
        procedures: Iterable[Procedure],
        synonyms: dict[str, str] | None = None,
    ) -> None:
        self.procedures = tuple(procedures)
        self.normalizer = Normalizer(synonyms)
        self._variants: list[list[Variant]] = []
        self._name_words: list[frozenset[str]] = []
        self._legal_words: list[frozenset[str]] = []
        self._actions: list[Actions] = []
        self._done_when: list[tuple[str, ...] | None] = []  # see _before_case
        self._spellings: list[dict[str, set[str]]] = []  # folded → accented spellings seen
        self._own_words: dict[str, frozenset[str]] = {}  # key → folded name and alias words
        self._index_of = {p.key: i for i, p in enumerate(self.procedures)}
        postings: dict[str, set[int]] = defaultdict(set)
        analyze = lru_cache(maxsize=None)(self.normalizer.analyze)  # fields repeat a lot
        for index, procedure in enumerate(self.procedures):
            variants, spellings = [], defaultdict(set)
            texts = [(procedure.name, True), *((a, False) for a in procedure.aliases)]
            # a field is a list ("Tiêu chuẩn, Đo lường, Chất lượng"): no word pair across it
            fields = [(part, None) for part in procedure.field.split(",")]
            for text, is_name in [*texts, *fields]:
                analysis = analyze(text)
                folded = tuple(analysis.content_tokens(folded=True))
                for plain, marked in zip(folded, analysis.content_tokens(False), strict=True):
                    spellings[plain].add(marked)
                for term in (*folded, *bigrams(folded)):
                    postings[term].add(index)
                if folded and is_name is not None:
                    variants.append(Variant(folded, frozenset(folded), " ".join(folded), is_name))
            self._variants.append(variants)
            self._own_words[procedure.key] = frozenset(w for v in variants for w in v.words)
            self._legal_words.append(frozenset(variants[0].words) if variants else frozenset())
            self._done_when.append(_before_case(variants[0].folded) if variants else None)
            names = [v.folded for v in variants]
            self._actions.append(Actions.of(names[0], names[1:]) if names else Actions.of(()))
            self._name_words.append(
                frozenset(w for v in variants if v.is_name for w in v.words)
                | frozenset(analyze(procedure.field).content_tokens())
            )
            self._spellings.append(dict(spellings))
        field_words: dict[str, set[str]] = defaultdict(set)
        self._marked: set[str] = set()  # every accented spelling of an indexed word
        for procedure, spellings in zip(self.procedures, self._spellings, strict=True):
            field_words[procedure.field].update(spellings)
            self._marked.update(*spellings.values())
        # Context words describe a field, not one procedure: credit them to every sibling.
        self._field_words = [frozenset(field_words[p.field]) for p in self.procedures]
        n = max(len(self.procedures), 1)
        self._postings = {term: frozenset(ids) for term, ids in postings.items()}
        self._idf = {
            term: math.log(1 + (n - len(ids) + 0.5) / (len(ids) + 0.5))
            for term, ids in self._postings.items()
        }
        self._max_idf = max(self._idf.values(), default=1.0)
        idf = self._idf
        self._variant_totals = [
            [math.fsum(idf[w] for w in v.words) or 1.0 for v in variants]
            for variants in self._variants
        ]
        self._name_totals = [math.fsum(idf[w] for w in words) or 1.0 for words in self._name_words]
        self._vocabulary = sorted(t for t in self._idf if "_" not in t and len(t) > 2)
        self._real_words = _words_in_details(self.procedures)

    def words_of(self, key: str) -> frozenset[str]:
        """The folded words of a procedure's name and aliases (a follow-up may repeat them)."""
        return self._own_words.get(key, frozenset())
