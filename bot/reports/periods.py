"""Reporting periods in Vietnamese local time: default ranges, labels and trend buckets.

Government reports are quarterly, six-monthly, nine-monthly and yearly, counted in local days
(Asia/Ho_Chi_Minh, UTC+7), while interactions are stored with UTC timestamps; this module is the
one place that turns local dates into UTC instants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TIME_ZONE = "Asia/Ho_Chi_Minh"
try:
    LOCAL_TZ: timezone | ZoneInfo = ZoneInfo(TIME_ZONE)
except ZoneInfoNotFoundError:  # no tz database (slim images); Vietnam has no daylight saving
    LOCAL_TZ = timezone(timedelta(hours=7), "+07")

Kind = Literal["quarter", "half", "nine-months", "year", "month", "week"]
KINDS: tuple[str, ...] = ("quarter", "half", "nine-months", "year", "month", "week")
BucketSize = Literal["day", "week", "month"]
ROMAN = ("I", "II", "III", "IV")


class PeriodError(ValueError):
    """A bad date or range given by the user; the message is one line."""


@dataclass(frozen=True)
class Span:
    """Local dates, both inclusive."""

    start: date
    end: date

    @property
    def utc_start(self) -> datetime:
        return local_midnight_utc(self.start)

    @property
    def utc_end(self) -> datetime:
        """Exclusive end: local midnight after the last day."""
        return local_midnight_utc(self.end + timedelta(days=1))


@dataclass(frozen=True)
class Bucket(Span):
    label: str


@dataclass(frozen=True)
class Period(Span):
    """The reported range, how it was chosen (`kind` or "custom") and its trend buckets."""

    kind: str
    label: str
    bucket_size: BucketSize

    def buckets(self) -> list[Bucket]:
        return split(self, self.bucket_size)


def local_midnight_utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ).astimezone(UTC)


def local_today(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(LOCAL_TZ).date()


def parse_date(text: str) -> date:
    """YYYY-MM-DD or DD/MM/YYYY (as Vietnamese staff write dates)."""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise PeriodError(f"not a date: {text!r} (use YYYY-MM-DD or DD/MM/YYYY)")


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def containing(kind: str, day: date) -> tuple[date, date, str]:
    """Start, end and Vietnamese label of the period of `kind` that contains `day`."""
    y, m = day.year, day.month
    if kind == "quarter":
        q = (m - 1) // 3
        return date(y, 3 * q + 1, 1), _month_end(y, 3 * q + 3), f"Quý {ROMAN[q]}/{y}"
    if kind == "half":
        if m <= 6:
            return date(y, 1, 1), date(y, 6, 30), f"6 tháng đầu năm {y}"
        return date(y, 7, 1), date(y, 12, 31), f"6 tháng cuối năm {y}"
    if kind == "nine-months":
        return date(y, 1, 1), date(y, 9, 30), f"9 tháng đầu năm {y}"
    if kind == "year":
        return date(y, 1, 1), date(y, 12, 31), f"Năm {y}"
    if kind == "month":
        return date(y, m, 1), _month_end(y, m), f"Tháng {m}/{y}"
    if kind == "week":
        monday = day - timedelta(days=day.weekday())
        iso = day.isocalendar()
        return monday, monday + timedelta(days=6), f"Tuần {iso.week}/{iso.year}"
    raise PeriodError(f"unknown period {kind!r} (one of {', '.join(KINDS)})")


def span_label(start: date, end: date) -> str:
    return f"{start:%d/%m/%Y} – {end:%d/%m/%Y}"


def bucket_size_for(kind: str, start: date, end: date) -> BucketSize:
    """Months for quarters and longer, weeks for a month, days for a week."""
    if kind == "week":
        return "day"
    if kind == "month":
        return "week"
    if kind != "custom":
        return "month"
    days = (end - start).days + 1
    return "day" if days <= 14 else "week" if days <= 62 else "month"


def resolve(
    kind: str | None = None,
    start: date | None = None,
    end: date | None = None,
    *,
    today: date | None = None,
) -> Period:
    """The period to report.

    No dates: the `kind` period (default quarter) containing today, e.g. `nine-months` run in
    September gives 1 January – 30 September. With dates: exactly that range (a missing end is
    today, a missing start is the beginning of the `kind` period containing the end), and
    `kind` only chooses the trend buckets.
    """
    today = today or local_today()
    if kind is not None and kind not in KINDS:
        raise PeriodError(f"unknown period {kind!r} (one of {', '.join(KINDS)})")
    if start is None and end is None:
        first, last, label = containing(kind or "quarter", today)
        chosen = kind or "quarter"
    else:
        last = end or today
        first = start or containing(kind or "quarter", last)[0]
        if first > last:
            raise PeriodError(f"--from {first} is after --to {last}")
        label, chosen = span_label(first, last), kind or "custom"
    return Period(first, last, chosen, label, bucket_size_for(chosen, first, last))


def split(span: Span, size: BucketSize) -> list[Bucket]:
    """Consecutive buckets of `size` covering the span, the first and last clipped to it."""
    buckets: list[Bucket] = []
    day = span.start
    while day <= span.end:
        if size == "day":
            last, label = day, f"{day:%d/%m}"
        elif size == "week":
            last = min(day + timedelta(days=6 - day.weekday()), span.end)
            label = f"{day:%d/%m}–{last:%d/%m}"
        else:
            last = min(_month_end(day.year, day.month), span.end)
            label = f"{day.month:02d}/{day.year}"
        buckets.append(Bucket(day, last, label))
        day = last + timedelta(days=1)
    return buckets
