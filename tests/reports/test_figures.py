"""The report's figures against hand-computed values (fixture in conftest.py), on SQLite and
PostgreSQL: boundaries in Vietnamese time, per procedure, field, channel and month, the empty
period, and a privacy purge that leaves every figure unchanged.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import repo
from bot.db.models import Feedback, Handoff, Interaction
from bot.reports import PeriodError, build_report, resolve
from bot.reports.figures import Figures
from bot.reports.periods import containing, split
from bot.reports.render_text import to_dict
from tests.reports.conftest import GONE, P1, P2, P3

Sessions = async_sessionmaker[AsyncSession]
NINE_MONTHS = resolve("nine-months", today=date(2026, 9, 28))


async def report_for(sessionmaker: Sessions, period=NINE_MONTHS, channel=None):  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        return await build_report(session, period, channel)


def test_periods_in_local_dates() -> None:
    assert (NINE_MONTHS.start, NINE_MONTHS.end, NINE_MONTHS.label) == (
        date(2026, 1, 1),
        date(2026, 9, 30),
        "9 tháng đầu năm 2026",
    )
    assert NINE_MONTHS.utc_start == datetime(2025, 12, 31, 17, tzinfo=UTC)
    assert NINE_MONTHS.utc_end == datetime(2026, 9, 30, 17, tzinfo=UTC)
    assert containing("quarter", date(2026, 8, 15))[::2] == (date(2026, 7, 1), "Quý III/2026")
    assert containing("half", date(2026, 8, 15))[:2] == (date(2026, 7, 1), date(2026, 12, 31))
    assert containing("week", date(2026, 10, 1))[:2] == (date(2026, 9, 28), date(2026, 10, 4))
    assert containing("month", date(2028, 2, 3))[1] == date(2028, 2, 29)
    custom = resolve(None, date(2026, 2, 20), date(2026, 3, 10))
    assert (custom.kind, custom.bucket_size) == ("custom", "week")
    assert [b.label for b in custom.buckets()] == [
        "20/02–22/02",
        "23/02–01/03",
        "02/03–08/03",
        "09/03–10/03",
    ]
    assert [b.label for b in NINE_MONTHS.buckets()][::4] == ["01/2026", "05/2026", "09/2026"]
    assert len(split(resolve("week", today=date(2026, 7, 1)), "day")) == 7
    with pytest.raises(PeriodError, match="after"):
        resolve(None, date(2026, 3, 1), date(2026, 2, 1))
    with pytest.raises(PeriodError, match="unknown period"):
        resolve("decade")


async def test_overall_figures_match_hand_count(report_db: Sessions) -> None:
    report = await report_for(report_db)
    o = report.overall
    # A C D E F G H I J K N: 11 questions (M is small talk, B last year, L in October)
    assert (o.questions, o.answered, o.clarified, o.fallback, o.carded) == (11, 6, 2, 3, 7)
    assert o.responses == 6 and o.score_counts == (0, 1, 1, 2, 2)  # scores 1..5
    assert o.satisfaction_index == pytest.approx(4 / 6)
    assert o.mean_score == pytest.approx(23 / 6)
    assert o.response_rate == pytest.approx(6 / 7)
    assert (o.enough_yes, o.enough_answered, o.enough_info_share) == (3, 4, 0.75)
    assert o.handoffs == 4  # the fifth is in October
    assert report.agency == "Sở Khoa học và Công nghệ (dữ liệu thử)"
    assert report.note is None


async def test_per_procedure_field_channel_and_month(report_db: Sessions) -> None:
    report = await report_for(report_db)
    by_key = {p.key: p for p in report.procedures}
    assert [p.key for p in report.procedures] == [P1, P2, GONE, P3]
    p1 = by_key[P1]
    assert (p1.code, p1.name, p1.field) == (
        "2.002131",
        "Khai báo thiết bị X-quang chẩn đoán trong y tế",
        "An toàn bức xạ và hạt nhân",
    )
    assert p1.figures == Figures(3, 3, 0, 0, 3, 3, (0, 1, 0, 1, 1), 11, 1, 2, 1)
    assert by_key[P2].figures == Figures(2, 2, 0, 0, 2, 1, (0, 0, 1, 0, 0), 3, 1, 1, 1)
    assert by_key[P3].figures == Figures(1, 0, 1, 0, 1, 1, (0, 0, 0, 0, 1), 5, 1, 1, 1)
    gone = by_key[GONE]
    assert (gone.code, gone.name, gone.field, gone.figures.satisfaction_index) == (
        None,
        GONE,
        None,
        1.0,
    )
    assert report.unassigned == Figures(4, 0, 1, 3, 0, handoffs=1)

    fields = {g.label: g.figures for g in report.fields}
    assert list(fields) == ["An toàn bức xạ và hạt nhân", "Tiêu chuẩn Đo lường Chất lượng", None]
    assert fields["An toàn bức xạ và hạt nhân"].questions == 4
    assert fields["An toàn bức xạ và hạt nhân"].satisfaction_index == 0.75
    assert fields["An toàn bức xạ và hạt nhân"].handoffs == 2
    assert fields["Tiêu chuẩn Đo lường Chất lượng"].handoffs == 1
    assert (fields[None].questions, fields[None].handoffs) == (5, 1)

    channels = {g.label: g.figures for g in report.channels}
    assert list(channels) == ["telegram", "zalo", "console"]
    assert (channels["telegram"].questions, channels["telegram"].responses) == (7, 4)
    assert channels["telegram"].mean_score == 4.25 and channels["telegram"].handoffs == 3
    assert (channels["zalo"].satisfaction_index, channels["zalo"].handoffs) == (0.5, 1)

    trend = [(t.label, t.figures.questions, t.figures.responses) for t in report.trend]
    assert trend == [
        ("01/2026", 1, 1),
        ("02/2026", 2, 2),
        ("03/2026", 2, 0),
        ("04/2026", 0, 0),
        ("05/2026", 2, 1),
        ("06/2026", 1, 0),
        ("07/2026", 1, 1),
        ("08/2026", 1, 1),
        ("09/2026", 1, 0),
    ]
    assert [t.figures.handoffs for t in report.trend] == [0, 1, 0, 0, 1, 1, 1, 0, 0]

    unanswered = [(u.text, u.example, u.count) for u in report.unanswered]
    assert unanswered == [
        ("xin cap the can cuoc", "Xin cấp thẻ căn cước", 2),
        ("khai bao may x quang", "khai báo máy x quang", 1),
        ("le phi cap phep", "câu hỏi N", 1),
    ]


async def test_channel_filter_and_quarter_boundaries(report_db: Sessions) -> None:
    zalo = await report_for(report_db, channel="zalo")
    assert (zalo.overall.questions, zalo.overall.responses, zalo.overall.handoffs) == (3, 2, 1)
    assert [p.key for p in zalo.procedures] == [P1, GONE]
    assert [g.label for g in zalo.channels] == ["zalo"]

    q3 = await report_for(report_db, resolve("quarter", today=date(2026, 9, 30)))
    assert (q3.period.label, q3.overall.questions) == ("Quý III/2026", 3)  # I J K
    q4 = await report_for(report_db, resolve(None, date(2026, 10, 1), date(2026, 10, 1)))
    assert (q4.overall.questions, q4.overall.score_counts, q4.overall.handoffs) == (
        1,
        (1, 0, 0, 0, 0),
        1,
    )


async def test_empty_period_gives_zeros_and_a_line(report_db: Sessions) -> None:
    report = await report_for(report_db, resolve("month", today=date(2025, 6, 15)))
    assert report.empty and report.overall == Figures()
    assert report.note is not None and "Tháng 6/2025" in report.note
    data = to_dict(report)
    assert data["overall"]["satisfaction_index"] == 0 and data["overall"]["mean_score"] == 0
    assert data["procedures"] == [] and data["unanswered"] == []
    assert len(data["trend"]) == 6 and all(t["questions"] == 0 for t in data["trend"])


async def test_purge_keeps_every_figure(report_db: Sessions) -> None:
    before = to_dict(await report_for(report_db))
    cutoff = datetime(2026, 7, 1, tzinfo=UTC)
    async with report_db.begin() as session:
        result = await repo.purge_texts(session, before=cutoff)
    assert (result.questions, result.comments, result.handoffs) == (10, 1, 3)  # A-H, M, N; D
    after = to_dict(await report_for(report_db))
    assert before.pop("unanswered") != after.pop("unanswered")
    assert after == before
    async with report_db() as session:
        rows = (await session.execute(select(Interaction.created_at, Interaction.question))).all()
        comments = (await session.scalars(select(Feedback.comment))).all()
        handoffs = (await session.execute(select(Handoff.chat_id).order_by(Handoff.id))).all()
    assert all((question is None) == (at.replace(tzinfo=UTC) < cutoff) for at, question in rows)
    assert comments == [None] * 8
    assert [chat for (chat,) in handoffs] == ["", "", "", "1003", "1004"]
    async with report_db.begin() as session:
        again = await repo.purge_texts(session, before=cutoff)
    assert (again.questions, again.comments, again.handoffs) == (0, 0, 0)
