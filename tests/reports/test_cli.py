"""`tthc-bot report` and `tthc-bot privacy purge` as staff run them: real processes, real files."""

from __future__ import annotations

import io
import json
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db.models import Interaction
from tests.test_cli import cli

Sessions = async_sessionmaker[AsyncSession]
NINE_MONTHS = ("--period", "nine-months", "--from", "2026-01-01", "--to", "30/09/2026")


async def test_report_json_to_stdout_and_xlsx_to_file(
    report_db: Sessions, settings: Settings, tmp_path: Path
) -> None:
    done = cli("report", *NINE_MONTHS, "--format", "json", settings=settings)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["period"]["kind"] == "nine-months" and data["period"]["to"] == "2026-09-30"
    assert (data["overall"]["questions"], data["overall"]["satisfaction_index"]) == (11, 0.6667)

    zalo = json.loads(
        cli(
            "report", *NINE_MONTHS, "--channel", "zalo", "--format", "json", settings=settings
        ).stdout
    )
    assert (zalo["channel"], zalo["overall"]["questions"]) == ("zalo", 3)

    target = tmp_path / "out" / "bao-cao.xlsx"
    done = cli(
        "report", *NINE_MONTHS, "--format", "xlsx", "--output", str(target), settings=settings
    )
    assert done.returncode == 0, done.stderr
    assert f"wrote {target}" in done.stderr
    book = load_workbook(io.BytesIO(target.read_bytes()))
    assert book["Tổng hợp"]["B2"].value == 11


def test_bad_options_are_one_clear_line(settings: Settings) -> None:
    for args, message in [
        (("--period", "decade"), "--period must be one of quarter|half|nine-months"),
        (("--channel", "fax"), "--channel must be one of telegram|zalo|console"),
        (("--format", "pdf"), "--format must be one of table|json|csv|xlsx|png"),
        (("--from", "31/02/2026"), "not a date: '31/02/2026'"),
        (("--from", "2026-03-01", "--to", "2026-02-01"), "--from 2026-03-01 is after --to"),
    ]:
        done = cli("report", *args, settings=settings)
        assert done.returncode == 2, args
        assert message in done.stderr and "Traceback" not in done.stderr


async def test_privacy_purge_forgets_texts_keeps_counts(
    report_db: Sessions, settings: Settings
) -> None:
    before = json.loads(cli("report", *NINE_MONTHS, "--format", "json", settings=settings).stdout)
    done = cli("privacy", "purge", "--older-than", "0", settings=settings)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("purged 14 question text(s), 1 comment(s) and 5 handoff text(s)")
    assert done.stdout.splitlines()[1].startswith(
        "deleted 0 webhook dedupe record(s) and 0 numbered choice list(s) older than "
    )
    after = json.loads(cli("report", *NINE_MONTHS, "--format", "json", settings=settings).stdout)
    assert after["unanswered"] == [] and before["unanswered"]
    assert {k: v for k, v in after.items() if k != "unanswered"} == {
        k: v for k, v in before.items() if k != "unanswered"
    }
    async with report_db() as session:
        assert (
            await session.scalar(select(func.count()).where(Interaction.question.is_not(None))) == 0
        )
    assert cli("privacy", "purge", "--older-than", "-1", settings=settings).returncode == 2
