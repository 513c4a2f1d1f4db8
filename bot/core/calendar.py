"""Working-day deadlines: "nộp hôm nay thì bao giờ có kết quả?".

Processing times are counted in working days: no Saturdays, Sundays or Vietnamese public
holidays (Tết included, from the `holidays` package). A file handed in after office hours, or
on a day off, is received on the next working day; the count starts the day after receipt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICE_CLOSES = time(17, 0)
WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


@lru_cache(maxsize=16)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def next_working_day(day: date) -> date:
    """The first working day strictly after `day`."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (`start` itself not counted)."""
    day = start
    for _ in range(days):
        day = next_working_day(day)
    return day


@dataclass(frozen=True)
class Deadline:
    submitted: datetime  # local time of the submission
    received: date  # the working day the file counts as received
    result: date  # the expected date of the result
    working_days: int

    @property
    def shifted(self) -> bool:
        """The file counts from a later day than it was handed in (evening or day off)."""
        return self.received != self.submitted.date()


def deadline(submitted: datetime, working_days: int) -> Deadline:
    """When a file handed in at `submitted` (any timezone) should have its result."""
    local = submitted.astimezone(TIMEZONE)
    received = local.date()
    if not is_working_day(received) or local.time() >= OFFICE_CLOSES:
        received = next_working_day(received)
    return Deadline(local, received, add_working_days(received, working_days), working_days)


def format_day(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]}, {day:%d/%m/%Y}"


def deadline_text(d: Deadline) -> str:
    """The date in plain Vietnamese, saying why when the count starts on a later day."""
    lines = [
        f"📅 Nếu nộp đủ hồ sơ hôm nay ({format_day(d.submitted.date())}), "
        f"dự kiến có kết quả vào {format_day(d.result)}.",
    ]
    if d.shifted:
        why = "ngoài giờ làm việc" if is_working_day(d.submitted.date()) else "vào ngày nghỉ"
        lines.append(
            f"Hồ sơ nộp {why} được tính từ ngày làm việc tiếp theo ({format_day(d.received)})."
        )
    lines.append(
        f"({d.working_days} ngày làm việc, không tính thứ Bảy, Chủ nhật và ngày nghỉ lễ, Tết; "
        "hồ sơ phải hợp lệ, cơ quan có thể yêu cầu bổ sung.)"
    )
    return "\n".join(lines)
