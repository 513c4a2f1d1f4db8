"""Deadlines over weekends, Vietnamese public holidays and Tết, in working or calendar days."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from bot.config import Settings
from bot.core.calendar import (
    TIMEZONE,
    _holidays,
    add_working_days,
    deadline,
    deadline_text,
    is_working_day,
    submission_time,
)
from bot.runtime import start


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TIMEZONE)


def test_tet_2027_is_skipped() -> None:
    # Tết 2027: Thursday 4 to Wednesday 10 February are days off.
    assert not any(is_working_day(date(2027, 2, d)) for d in range(4, 11))
    d = deadline(local(2027, 2, 3, 9, 0), 5)
    assert (d.received, d.result) == (date(2027, 2, 3), date(2027, 2, 17))
    assert "thứ Tư, 17/02/2027" in deadline_text(d) and not d.shifted


def test_after_office_hours_counts_from_next_working_day() -> None:
    d = deadline(local(2027, 2, 3, 17, 30), 1)  # Wednesday evening before Tết
    assert d.received == date(2027, 2, 11) and d.result == date(2027, 2, 12)
    text = deadline_text(d)
    assert "ngoài giờ làm việc" in text and "thứ Năm, 11/02/2027" in text


def test_calendar_days_count_days_off_but_never_end_on_one() -> None:
    # Received Monday 2/3/2026: 25 days later is Friday 27/3, a working day.
    d = deadline(local(2026, 3, 2, 9, 0), 25, calendar=True)
    assert d.result == date(2026, 3, 27)
    text = deadline_text(d)
    assert "thứ Sáu, 27/03/2026" in text and "25 ngày, tính cả thứ Bảy" in text
    assert "ngày làm việc," not in text
    # 26 days later is Saturday 28/3: the deadline moves to Monday 30/3.
    assert deadline(local(2026, 3, 2, 9, 0), 26, calendar=True).result == date(2026, 3, 30)
    # Ending on 30/4 (Reunification Day), 1/5 (Labour Day) and a weekend: Monday 4/5.
    assert deadline(local(2026, 4, 20, 9, 0), 10, calendar=True).result == date(2026, 5, 4)
    # The same count in working days ends much later.
    assert deadline(local(2026, 3, 2, 9, 0), 25).result == date(2026, 4, 6)


def test_weekend_and_holidays() -> None:
    saturday = deadline(local(2026, 8, 29, 10, 0), 2)  # 31/8 day off, 1–2/9 National Day
    assert saturday.received == date(2026, 9, 3) and saturday.result == date(2026, 9, 7)
    assert "vào ngày nghỉ" in deadline_text(saturday)
    assert add_working_days(date(2026, 4, 29), 1) == date(2026, 5, 4)  # 30/4, 1/5, weekend


def test_utc_input_is_read_in_vietnam_time() -> None:
    # 10:30 UTC is 17:30 in Lạng Sơn: after hours.
    d = deadline(datetime.fromisoformat("2026-06-01T10:30:00+00:00"), 0)
    assert d.received == date(2026, 6, 2)


@pytest.mark.parametrize("days", [0, 1, 15, 60])
def test_result_is_a_working_day(days: int) -> None:
    assert is_working_day(deadline(local(2027, 1, 29, 8, 0), days).result)


SUNDAY = local(2026, 11, 29, 10, 0)


@pytest.mark.parametrize(
    ("question", "day"),
    [
        ("nộp hôm nay thì bao giờ có kết quả", None),  # today: now, not opening time
        ("neu mai nop thi khi nao xong", date(2026, 11, 30)),
        ("ngày kia nộp thì bao giờ xong", date(2026, 12, 1)),
        ("thu 6 nop thi bao gio co", date(2026, 12, 4)),
        ("thứ sáu tuần này nộp", date(2026, 12, 4)),
        ("chủ nhật nộp được không", None),  # it is Sunday: today
        ("nộp ngày 31/12 thì bao giờ có", date(2026, 12, 31)),
        ("nộp 5/1 thì sao", date(2027, 1, 5)),  # already past this year: next year
        ("nộp 30/2 thì sao", None),  # no such day: today
    ],
)
def test_the_day_the_citizen_names(question: str, day: date | None) -> None:
    submitted = submission_time(question, SUNDAY)
    if day is None:
        assert submitted == SUNDAY
    else:
        assert submitted == datetime.combine(day, time(8, 0), tzinfo=TIMEZONE)


def test_a_named_day_is_said_back() -> None:
    friday = submission_time("thứ 6 nộp", SUNDAY)
    text = deadline_text(deadline(friday, 5), planned=True)
    assert text.startswith("📅 Nếu nộp đủ hồ sơ vào thứ Sáu, 04/12/2026, dự kiến có kết quả vào")
    assert "vào ngày nghỉ" not in text and "thứ Sáu, 11/12/2026" in text  # a working day


async def test_start_up_loads_the_holidays_a_deadline_may_cross(settings: Settings) -> None:
    """Not the first citizen asking a deadline: building Tết's dates takes ~50 ms."""
    _holidays.cache_clear()
    runtime = await start(settings)
    try:
        loaded = _holidays.cache_info()
        this_year = datetime.now(TIMEZONE).year
        _holidays(this_year), _holidays(this_year + 1)
        assert loaded.currsize == 2 and _holidays.cache_info().misses == loaded.misses
    finally:
        await runtime.close()
