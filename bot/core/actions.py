"""What a procedure does to a licence — issue it, issue it again, extend it, amend it.

Sibling procedures share every word of their object ("giấy phép bưu chính") and differ only in
the action: "Cấp", "Cấp lại … khi hết hạn", "Sửa đổi, bổ sung". A citizen who names no change
("làm giấy phép x quang") wants the first issue; one who names a change ("bị mất", "hết hạn",
"thêm máy", after synonyms: cấp lại, gia hạn, bổ sung) wants a procedure offering it. Both
sides are compared on folded, synonym-expanded words, so "điều chỉnh" and "thay đổi" (→ sửa
đổi) are the same change.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Word pairs naming a change of an existing result, by kind of change.
CHANGES: dict[str, str] = {
    "cap_lai": "reissue",
    "cap_doi": "reissue",
    "gia_han": "extend",
    "sua_doi": "amend",
    "bo_sung": "amend",
}


def changes(folded: Sequence[str]) -> frozenset[str]:
    """Kinds of change named in folded, synonym-expanded words."""
    pairs = (f"{a}_{b}" for a, b in itertools.pairwise(folded))
    return frozenset(CHANGES[p] for p in pairs if p in CHANGES)


# Asking for a change as typed, before synonyms: also "làm lại" (→ cấp lại), which says
# nothing about why, unlike "bị mất" (→ cấp lại too).
REQUESTS = frozenset({*CHANGES, "lam_lai"})


def count_changes(folded: Sequence[str], named: Iterable[str] = CHANGES) -> int:
    """How many times a change is named: "cấp lại … bị mất" names two after synonyms."""
    return sum(f"{a}_{b}" in named for a, b in itertools.pairwise(folded))


@dataclass(frozen=True)
class Actions:
    """The changes a procedure's legal name offers, and whether it also issues anew."""

    changes: frozenset[str]
    issues: bool  # "Cấp giấy phép …", or "Cấp, cấp lại …": a first issue is covered

    @classmethod
    def of(cls, name: Sequence[str], aliases: Iterable[Sequence[str]] = ()) -> Actions:
        """From the folded legal name, and the aliases staff wrote for the same procedure
        ("bản công bố bị mất xin tiếp nhận lại" is handled by an "Điều chỉnh" procedure)."""
        found = changes(name)
        # "Cấp, cấp lại" / "Cấp và cấp lại": the first verb stands alone before its change.
        alone = len(name) > 1 and name[1] == name[0]
        return cls(found.union(*map(changes, aliases)), not found or alone)

    def mismatch(self, asked: frozenset[str]) -> float:
        """0 when the procedure does what the question asks, 1 when it clearly does not."""
        if not asked:
            return 0.0 if self.issues else 1.0
        return len(asked - self.changes) / len(asked)
