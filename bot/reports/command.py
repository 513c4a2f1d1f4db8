"""What `tthc-bot report` and `tthc-bot privacy purge` do, apart from option parsing.

Bad options become a ValueError with one clear line (the CLI prints it, exit 2) before the
database is touched.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import Settings
from bot.db import repo
from bot.reports import CHANNELS, FORMATS, build_report, render
from bot.reports.periods import KINDS, Period, parse_date, resolve


@dataclass(frozen=True)
class ReportRequest:
    period: Period
    channel: str | None
    fmt: str

    @classmethod
    def parse(
        cls,
        date_from: str | None,
        date_to: str | None,
        kind: str | None,
        channel: str | None,
        fmt: str,
    ) -> ReportRequest:
        if kind is not None and kind not in KINDS:
            raise ValueError(f"--period must be one of {'|'.join(KINDS)} (got {kind!r})")
        if channel is not None and channel not in CHANNELS:
            raise ValueError(f"--channel must be one of {'|'.join(CHANNELS)} (got {channel!r})")
        if fmt not in FORMATS:
            raise ValueError(f"--format must be one of {'|'.join(FORMATS)} (got {fmt!r})")
        start = parse_date(date_from) if date_from else None
        end = parse_date(date_to) if date_to else None
        return cls(resolve(kind, start, end), channel, fmt)


async def make_report(settings: Settings, request: ReportRequest) -> bytes:
    from bot.runtime import open_database

    engine, sessionmaker = await open_database(settings)
    try:
        async with sessionmaker() as session:
            report = await build_report(session, request.period, request.channel)
    finally:
        await engine.dispose()
    return render(report, request.fmt)


def write_output(data: bytes, output: Path | None) -> str | None:
    """Write to `output` (returning a line for stderr) or to standard output."""
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
        return f"wrote {output} ({len(data):,} bytes)"
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return None


async def purge(settings: Settings, older_than_days: int, now: datetime | None = None) -> str:
    """Forget question texts and comments older than the given number of days, and delete
    the channels' dedupe claims and numbered choices of that age (at least a day old)."""
    from bot.runtime import open_database

    now = now or datetime.now(UTC)
    before = now - timedelta(days=older_than_days)
    engine, sessionmaker = await open_database(settings)
    try:
        async with sessionmaker.begin() as session:
            result = await repo.purge_texts(session, before=before, now=now)
    finally:
        await engine.dispose()
    return (
        f"purged {result.questions} question text(s), {result.comments} comment(s) and "
        f"{result.handoffs} handoff text(s) recorded before {before:%Y-%m-%d %H:%M} UTC; "
        "counts are kept\n"
        f"deleted {result.events} webhook dedupe record(s) and {result.choices} numbered "
        f"choice list(s) older than {result.channel_before:%Y-%m-%d %H:%M} UTC"
    )
