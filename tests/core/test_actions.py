"""Sibling procedures that differ only by what they do to a licence: cấp / cấp lại / gia hạn /
sửa đổi. The question's change words (after synonyms) pick the sibling; none picks the first
issue."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.actions import Actions, changes
from bot.core.matcher import Matcher
from bot.core.text import Normalizer
from bot.knowledge import Fee, Procedure, load_knowledge

from ..conftest import REAL_KNOWLEDGE

SYNONYMS = load_knowledge(REAL_KNOWLEDGE).synonyms
NORMALIZER = Normalizer(SYNONYMS)


def folded(text: str) -> list[str]:
    return NORMALIZER.analyze(text).content_tokens()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("giấy phép bưu chính bị mất", {"reissue"}),
        ("giay phep sap het han", {"extend"}),
        ("điều chỉnh nội dung bản công bố", {"amend"}),
        ("mua thêm máy x quang", {"amend"}),
        ("làm giấy phép x quang", set()),
        ("máy đo mật độ xương", set()),  # "mat do" without diacritics is not "mất"
    ],
)
def test_changes_asked(text: str, expected: set[str]) -> None:
    assert changes(folded(text)) == expected


@pytest.mark.parametrize(
    ("name", "issues", "offered"),
    [
        ("Cấp giấy phép bưu chính", True, set()),
        ("Cấp, cấp lại Giấy phép khai thác thủy sản", True, {"reissue"}),
        ("Cấp lại giấy phép bưu chính khi hết hạn", False, {"reissue", "extend"}),
        ("Cấp Giấy chứng nhận đăng ký gia hạn, sửa đổi nội dung", False, {"extend", "amend"}),
    ],
)
def test_what_a_name_offers(name: str, issues: bool, offered: set[str]) -> None:
    actions = Actions.of(folded(name))
    assert (actions.issues, set(actions.changes)) == (issues, offered)


def test_mismatch_prefers_the_first_issue_when_no_change_is_asked() -> None:
    first, again = Actions.of(folded("Cấp giấy phép")), Actions.of(folded("Cấp lại giấy phép"))
    assert (first.mismatch(frozenset()), again.mismatch(frozenset())) == (0.0, 1.0)
    assert (first.mismatch(frozenset({"reissue"})), again.mismatch(frozenset({"reissue"}))) == (
        1.0,
        0.0,
    )


def procedure(name: str) -> Procedure:
    return Procedure(
        name=name,
        field="Bưu chính",
        agency="Sở Khoa học và Công nghệ",
        source_url="https://example.org",
        verified_on=date(2025, 1, 1),
    )


SIBLINGS = Matcher(
    [
        procedure("Gia hạn giấy phép bưu chính"),
        procedure("Cấp lại giấy phép bưu chính khi bị mất hoặc hư hỏng"),
        procedure("Sửa đổi, bổ sung giấy phép bưu chính"),
        procedure("Cấp giấy phép bưu chính"),
    ],
    SYNONYMS,
)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("làm giấy phép bưu chính ở đâu", "Cấp giấy phép bưu chính"),
        ("giay phep buu chinh bi rach", "Cấp lại giấy phép bưu chính khi bị mất hoặc hư hỏng"),
        ("giấy phép bưu chính sắp hết hạn", "Gia hạn giấy phép bưu chính"),
        ("đổi địa chỉ trên giấy phép bưu chính", "Sửa đổi, bổ sung giấy phép bưu chính"),
    ],
)
def test_the_sibling_asked_for_ranks_first(question: str, expected: str) -> None:
    best = SIBLINGS.search(question).best
    assert best is not None and best.procedure.name == expected


def test_a_word_the_details_spell_is_not_a_typo() -> None:
    """ "xuong" (xương, in a fee line) must not become "luong" (lường, a name word)."""
    plain = procedure("Chứng nhận chuẩn đo lường")
    with_fee = plain.model_copy(update={"fees": [Fee(text="Thiết bị đo mật độ xương: 3 triệu")]})
    analysis = NORMALIZER.analyze("xuong")
    corrected = Matcher([plain], SYNONYMS).make_query(analysis, analysis.content)
    kept = Matcher([with_fee], SYNONYMS).make_query(analysis, analysis.content)
    assert (corrected.words, kept.words) == (("luong",), ("xuong",))


def test_a_class_typed_in_digits_finds_its_roman_numeral() -> None:
    """ "loại 1" is "loại I" (of "loại I, loại II"), not "loại III"."""
    ports = Matcher(
        [procedure("Công bố mở cảng cá loại III"), procedure("Công bố mở cảng cá loại I, loại II")],
        SYNONYMS,
    )
    for question in ("thủ tục công bố mở cảng cá loại 1", "cong bo mo cang ca loai I"):
        best = ports.search(question).best
        assert best is not None and best.procedure.name.endswith("loại I, loại II")
