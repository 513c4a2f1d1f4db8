"""The weekly summary for the staff chat, and the claim that lets exactly one replica send it."""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace
from datetime import date

from matplotlib.image import imread
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import repo
from bot.reports.weekly import WEEKLY_JOB, summary_text, weekly_summary
from tests.reports.conftest import local

Sessions = async_sessionmaker[AsyncSession]


async def test_weekly_summary_covers_the_seven_days_before(report_db: Sessions) -> None:
    summary = await weekly_summary(report_db, local(2026, 7, 20, 8))  # Monday 08:00
    period = summary.report.period
    assert (period.start, period.end) == (date(2026, 7, 13), date(2026, 7, 19))
    assert summary.period_key == "2026-W30"
    assert summary.text.splitlines()[0] == "📊 Tóm tắt tuần 13/07 – 19/07/2026"
    assert "• Câu hỏi: 1 (trả lời được 0,0%, cần làm rõ 100,0%" in summary.text
    assert "• Chỉ số hài lòng: 100,0% · điểm trung bình 5,00/5" in summary.text
    assert "• Chuyển cán bộ: 1" in summary.text
    assert "Cấp giấy phép tiến hành công việc bức xạ" in summary.text
    assert len(summary.report.trend) == 7
    assert imread(io.BytesIO(summary.png), format="png").shape[1] == 1210

    quiet = await weekly_summary(report_db, local(2026, 4, 13, 8))
    assert "Không có câu hỏi nào trong kỳ tuần 06/04 – 12/04/2026" in quiet.text


async def test_a_week_without_survey_answers_shows_no_index(report_db: Sessions) -> None:
    summary = await weekly_summary(report_db, local(2026, 7, 20, 8))
    unrated = replace(summary.report.overall, responses=0, score_counts=(0,) * 5, score_sum=0)
    text = summary_text(replace(summary.report, overall=unrated))
    assert "• Chỉ số hài lòng: – · điểm trung bình –/5" in text  # not "0,0%": nobody rated


async def test_exactly_one_replica_claims_the_week(report_db: Sessions) -> None:
    async def claim(period_key: str) -> bool:
        async with report_db.begin() as session:
            return await repo.claim_job_run(session, job=WEEKLY_JOB, period_key=period_key)

    results = await asyncio.gather(*(claim("2026-W30") for _ in range(4)))
    assert sorted(results) == [False, False, False, True]
    assert await claim("2026-W31") and not await claim("2026-W31")
