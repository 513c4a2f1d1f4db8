"""Vietnamese normalisation."""

from __future__ import annotations

import unicodedata

import pytest

from bot.core.text import Normalizer, clean, fold, place_tone


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("hoà", "hòa"),
        ("thuỷ", "thủy"),
        ("qũy", "quỹ"),
        ("hoàng", "hoàng"),
        ("khoẻ", "khỏe"),
        ("giá", "giá"),
        ("người", "người"),
        ("ngoài", "ngoài"),
        ("quyết", "quyết"),
    ],
)
def test_tone_placement(raw: str, canonical: str) -> None:
    assert place_tone(raw) == canonical


def test_nfd_and_case_and_control_characters() -> None:
    nfd = unicodedata.normalize("NFD", "Khai Báo\x00 Thiết Bị")
    assert clean(nfd) == "khai báo thiết bị"
    assert fold("đường dương đương") == "duong duong duong"


def test_a_held_key_is_undone_but_numbers_and_abbreviations_stay() -> None:
    assert clean("Xin chàoooo bạnnn, phí 1000 đồng ạạạ") == "xin chào bạn, phí 1000 đồng ạ"
    assert clean("tthc kh&cn") == "tthc kh&cn"  # two letters may repeat (the matcher decides)


def test_synonyms_fillers_and_xquang() -> None:
    normalizer = Normalizer(
        {
            "gcn": "giấy chứng nhận",
            "kh&cn": "khoa học và công nghệ",
            "giấy tờ": "hồ sơ",
            "xq": "x quang",
        }
    )
    analysis = normalizer.analyze("Cho em hỏi GCN KH&CN cần giấy tờ gì ạ? X-Quang, xq, xquang")
    assert analysis.tokens[3:10] == ("giấy", "chứng", "nhận", "khoa", "học", "và", "công")
    assert "hồ" in analysis.tokens and analysis.tokens.count("xquang") == 3
    assert "ạ" not in analysis.content_tokens(folded=False)
    assert normalizer.analyze("giay to").tokens == ("hồ", "sơ")  # unaccented key matches
    assert normalizer.analyze("x quang").accented is False


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        (
            "Công bố mở cảng cá loại I, loại II",
            ("công", "bố", "mở", "cảng", "cá", "loại", "1", "loại", "2"),
        ),
        ("cang ca loai 1", ("cang", "ca", "loai", "1")),
        ("hạng III", ("hạng", "3")),  # not a held key ("iii" → "i")
        ("nhóm VIII", ("nhóm", "8")),
        ("i xì, chiiii ơiii", ("i", "xì", "chi", "ơi")),  # only after a numbering word
        ("x quang loại x", ("xquang", "loại", "x")),  # "x" stays a letter
    ],
)
def test_roman_numerals_after_a_numbering_word_become_digits(
    text: str, tokens: tuple[str, ...]
) -> None:
    assert Normalizer().analyze(text).tokens == tokens


def test_long_and_strange_input_is_bounded() -> None:
    analysis = Normalizer().analyze("a" * 100_000 + " <b>x</b> ' OR 1=1; --")
    assert len(analysis.text) <= 1000


def test_full_width_and_ligature_letters_are_plain_letters() -> None:
    """Some phone keyboards (Japanese or Chinese input) type full-width letters."""
    assert clean("ｇｉấｙ ｐｈéｐ ｘ－ｑｕａｎｇ") == "giấy phép x-quang"
    assert clean("ﬁle ①") == "file 1"


@pytest.mark.parametrize(
    ("typed", "content"),
    [
        ("giay phep x quag", ["giay", "phep", "xquang"]),  # a letter dropped from "x quang"
        ("x qang phòng khám", ["xquang", "phong", "kham"]),
        ("hop chuan la j", ["hop", "chuan"]),  # chat's "j" is "gì"
        ("hop chuan la gi", ["hop", "chuan"]),  # "la" before "gi" is "là"
        ("thuoc la", ["thuoc", "la"]),  # elsewhere it may be "lá"
    ],
)
def test_chat_spellings_of_x_ray_and_of_what_is(typed: str, content: list[str]) -> None:
    assert Normalizer().analyze(typed).content_tokens() == content
