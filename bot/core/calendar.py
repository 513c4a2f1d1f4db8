"""Deadlines: "nộp hôm nay thì bao giờ có kết quả?".

Processing times are counted in working days (no Saturdays, Sundays or Vietnamese public
holidays, Tết included, from the `holidays` package) or, when the law says only "ngày", in
calendar days, a last day that falls on a day off moving to the next working day (Bộ luật Dân
sự 2015, art. 148). A file handed in after office hours, or on a day off, is received on the
next working day; the count starts the day after receipt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from bot.core.text import fold

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICE_OPENS, OFFICE_CLOSES = time(8, 0), time(17, 0)
WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


@lru_cache(maxsize=16)
def _holidays(year: int) -> frozenset[date]:
    # a plain set: the package's own lookup converts its key on every test
    return frozenset(holidays.country_holidays("VN", years=year))


def warm(today: date) -> None:
    """Load the calendars a deadline from `today` may cross now, at start-up: the first call
    builds the lunar holidays (Tết) and costs ~50 ms, too much for a citizen's first question."""
    for year in (today.year, today.year + 1):
        _holidays(year)


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


def add_calendar_days(start: date, days: int) -> date:
    """The date `days` days after `start`, or the next working day if that is a day off."""
    day = start + timedelta(days=days)
    return day if is_working_day(day) else next_working_day(day)


@dataclass(frozen=True)
class Deadline:
    submitted: datetime  # local time of the submission
    received: date  # the working day the file counts as received
    result: date  # the expected date of the result
    days: int
    calendar: bool = False  # counted in calendar days, not working days

    @property
    def shifted(self) -> bool:
        """The file counts from a later day than it was handed in (evening or day off)."""
        return self.received != self.submitted.date()


def deadline(submitted: datetime, days: int, calendar: bool = False) -> Deadline:
    """When a file handed in at `submitted` (any timezone) should have its result, `days`
    working days (or calendar days) after it is received."""
    local = submitted.astimezone(TIMEZONE)
    received = local.date()
    if not is_working_day(received) or local.time() >= OFFICE_CLOSES:
        received = next_working_day(received)
    add = add_calendar_days if calendar else add_working_days
    return Deadline(local, received, add(received, days), days, calendar)


# "thứ hai"/"thứ 2" … "thứ bảy"/"thứ 7" (folded), and "chủ nhật"/"cn".
_WEEKDAY_AFTER_THU = {"hai": 0, "ba": 1, "tu": 2, "nam": 3, "sau": 4, "bay": 5}
_WEEKDAY_AFTER_THU.update({str(n): n - 2 for n in range(2, 8)})
_DAY_MONTH = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?(?!\d)")


def submission_time(text: str, now: datetime) -> datetime:
    """When the citizen says they will hand the file in: "mai", "ngày kia", "thứ 6",
    "chủ nhật", "15/12" (at opening time that day), or `now` when they name no other day."""
    local = now.astimezone(TIMEZONE)
    day = _named_day(fold(text.lower()), local.date())
    if day is None or day == local.date():
        return local
    return datetime.combine(day, OFFICE_OPENS, tzinfo=TIMEZONE)


def _named_day(folded: str, today: date) -> date | None:
    if match := _DAY_MONTH.search(folded):
        day, month, year = int(match[1]), int(match[2]), int(match[3] or today.year)
        try:
            named = date(year, month, day)
        except ValueError:
            return None
        return named if match[3] or named >= today else named.replace(year=year + 1)
    words = re.findall(r"[a-z0-9]+", folded)
    for i, word in enumerate(words):
        after = words[i + 1] if i + 1 < len(words) else ""
        if word == "mai":
            return today + timedelta(days=1)
        if word == "ngay" and after == "kia":
            return today + timedelta(days=2)
        if word == "cn" or (word == "chu" and after == "nhat"):
            return _next_weekday(today, 6)
        if word == "thu" and after in _WEEKDAY_AFTER_THU:
            return _next_weekday(today, _WEEKDAY_AFTER_THU[after])
    return None


def _next_weekday(today: date, weekday: int) -> date:
    """Today if it is that weekday, else the next one."""
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def format_day(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]}, {day:%d/%m/%Y}"


def deadline_text(d: Deadline, planned: bool = False) -> str:
    """The date in plain Vietnamese, saying why when the count starts on a later day;
    `planned` when the citizen named the (later) day they will hand the file in."""
    when = (
        f"vào {format_day(d.submitted.date())}"
        if planned
        else (f"hôm nay ({format_day(d.submitted.date())})")
    )
    lines = [f"📅 Nếu nộp đủ hồ sơ {when}, dự kiến có kết quả vào {format_day(d.result)}."]
    if d.shifted:
        why = "ngoài giờ làm việc" if is_working_day(d.submitted.date()) else "vào ngày nghỉ"
        lines.append(
            f"Hồ sơ nộp {why} được tính từ ngày làm việc tiếp theo ({format_day(d.received)})."
        )
    counted = (
        f"{d.days} ngày, tính cả thứ Bảy, Chủ nhật và ngày nghỉ lễ; ngày cuối là ngày nghỉ thì "
        "lùi sang ngày làm việc tiếp theo"
        if d.calendar
        else f"{d.days} ngày làm việc, không tính thứ Bảy, Chủ nhật và ngày nghỉ lễ, Tết"
    )
    lines.append(f"({counted}; hồ sơ phải hợp lệ, cơ quan có thể yêu cầu bổ sung.)")
    return "\n".join(lines)


NO_DAYS = "📅 Chưa tính được ngày có kết quả vì thời hạn chưa được cập nhật bằng số ngày."


def deadline_note(counted: tuple[int, bool] | None, asked: str, now: datetime) -> str:
    """The answer to "nộp (thứ 6) thì bao giờ có?" for a processing time of `counted` (days,
    in calendar days: `ProcessingTime.counted`), or why it cannot be worked out."""
    if counted is None:
        return NO_DAYS
    days, calendar = counted
    submitted = submission_time(asked, now)
    return deadline_text(deadline(submitted, days, calendar), planned=submitted != now)
