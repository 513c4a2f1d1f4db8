"""The procedure card: short, the asked part first and not repeated, long fee lists summed up."""

from __future__ import annotations

from bot.core.cards import card_text, fee_line, section_text
from bot.knowledge import Fee, load_knowledge

from ..conftest import REAL_KNOWLEDGE

KB = load_knowledge(REAL_KNOWLEDGE)
XRAY = next(
    p
    for p in KB.procedures
    if p.name.startswith("Cấp giấy phép tiến hành công việc bức xạ - Sử dụng thiết bị X-quang")
)


def test_the_asked_part_leads_and_is_not_repeated() -> None:
    marks = {"docs": "📄 Hồ sơ", "fee": "💰 Phí/lệ phí:", "time": "⏱ Thời hạn"}
    for lead, mark in marks.items():
        text = card_text(XRAY, lead)
        assert text.startswith(section_text(XRAY, lead))
        assert text.count(mark) == 1, (lead, text)
    where = card_text(XRAY, "where")
    assert where.count("📍 Nơi nộp") == 1 and where.count("📨 Cách nộp") == 1
    assert where.startswith(f"🏛 Cơ quan giải quyết: {XRAY.agency}\n")  # "cơ quan nào …?"
    plain = card_text(XRAY)
    assert all(plain.count(mark) == 1 for mark in [*marks.values(), "📍 Nơi nộp", "📨"])


def test_many_fees_are_a_range_on_the_card_and_listed_in_their_section() -> None:
    assert len(XRAY.fees) > 2
    line = fee_line(XRAY)
    assert line.startswith("từ 2.000.000 đồng đến 16.000.000 đồng, tùy trường hợp")
    assert f"({len(XRAY.fees)} mức" in line and len(line) < 120
    assert all(f.text in section_text(XRAY, "fee") for f in XRAY.fees)


def test_few_fees_are_listed_and_unknown_amounts_give_no_range() -> None:
    two = XRAY.model_copy(update={"fees": XRAY.fees[:2]})
    assert fee_line(two) == "; ".join(f.text for f in XRAY.fees[:2])  # amounts already in them
    bare = [Fee(text="Phí thẩm định", amount_vnd=1_500_000), Fee(text="Lệ phí", amount_vnd=0)]
    bare_card = XRAY.model_copy(update={"fees": bare})
    assert fee_line(bare_card) == "Phí thẩm định (1.500.000 đồng); Lệ phí (miễn phí)"
    assert "• Phí thẩm định: 1.500.000 đồng" in section_text(bare_card, "fee")
    free = XRAY.model_copy(update={"fees": [Fee(text="Không thu phí, lệ phí", amount_vnd=0)]})
    assert section_text(free, "fee") == "💰 Phí/lệ phí:\n• Không thu phí, lệ phí"  # no "miễn phí"
    unpriced = [Fee(text=f"Mức {i}") for i in range(3)]
    assert fee_line(XRAY.model_copy(update={"fees": unpriced})).startswith("tùy trường hợp (3 mức")
    free = [Fee(text="Lệ phí", amount_vnd=0)] * 3
    assert fee_line(XRAY.model_copy(update={"fees": free})) == "Không mất phí, lệ phí"


def test_a_time_in_calendar_days_says_days_off_count() -> None:
    assert XRAY.processing_time.calendar_days == 25 and XRAY.processing_time.working_days is None
    assert "⏱ Thời hạn giải quyết: 25 ngày (tính cả ngày nghỉ)" in card_text(XRAY)
    time = section_text(XRAY, "time")
    assert time.startswith("⏱ Thời hạn giải quyết: 25 ngày (tính cả ngày nghỉ)\n(25 ngày kể từ")


def test_how_long_a_licence_lasts_is_not_how_long_it_takes_to_get() -> None:
    assert XRAY.validity is None  # not sourced yet: said so, with where to ask
    text = card_text(XRAY, "valid")
    assert text.startswith("📅 Thời hạn hiệu lực (giấy tờ được cấp dùng được bao lâu): chưa")
    assert "/lienhe" in text and XRAY.source_url in text
    assert "⏱ Thời hạn giải quyết: 25 ngày" in text  # the processing time, named as such
    known = XRAY.model_copy(update={"validity": "05 năm kể từ ngày cấp"})
    assert section_text(known, "valid") == "📅 Thời hạn hiệu lực: 05 năm kể từ ngày cấp"
