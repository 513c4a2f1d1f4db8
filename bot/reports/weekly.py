"""The weekly summary for the staff chat: a short Vietnamese text and the chart.

The Telegram job queue calls `weekly_summary` at the configured day and hour; before sending it
claims `repo.claim_job_run(job=WEEKLY_JOB, period_key=summary.period_key)` so that exactly one
replica posts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.reports.columns import BY_KEY, show, value_of
from bot.reports.figures import Report, build_report
from bot.reports.periods import Period, local_today
from bot.reports.render_png import render_png, short_name

WEEKLY_JOB = "weekly_summary"
TOP = 3


@dataclass(frozen=True)
class WeeklySummary:
    period_key: str  # ISO week of the run, e.g. "2026-W40": one send per week
    text: str
    png: bytes
    report: Report


def last_seven_days(now: datetime) -> Period:
    """The seven local days ending yesterday, bucketed by day."""
    end = local_today(now) - timedelta(days=1)
    start = end - timedelta(days=6)
    label = f"tuần {start:%d/%m} – {end:%d/%m/%Y}"
    return Period(start, end, "week", label, "day")


def summary_text(report: Report) -> str:
    o = report.overall

    def shown(key: str) -> str:  # "–" for a ratio of nothing, like the report's tables
        column = BY_KEY[key]
        return show(value_of(column, o), column.format)

    lines = [f"📊 Tóm tắt {report.period.label}", report.agency]
    if report.note:
        return "\n".join([*lines, report.note])
    lines += [
        f"• Câu hỏi: {show(o.questions, 'int')} (trả lời được {show(o.answered_share, 'pct')}, "
        f"cần làm rõ {show(o.clarified_share, 'pct')}, "
        f"chưa trả lời được {show(o.fallback_share, 'pct')})",
        f"• Phiếu khảo sát: {show(o.responses, 'int')} "
        f"(tỷ lệ phản hồi {shown('response_rate')})",
        f"• Chỉ số hài lòng: {shown('satisfaction_index')} · "
        f"điểm trung bình {shown('mean_score')}/5",
        f"• Đủ thông tin để chuẩn bị hồ sơ: {shown('enough_info_share')}",
    ]
    lines.append(f"• Chuyển cán bộ: {show(o.handoffs, 'int')}")
    if report.procedures:
        lines.append("Thủ tục được hỏi nhiều nhất:")
        lines += [
            f"  – {short_name(p.code, p.name, 60)}: {p.figures.questions}"
            for p in report.procedures[:TOP]
        ]
    if report.unanswered:
        lines.append("Câu hỏi chưa trả lời được / bị đánh giá thấp:")
        lines += [f"  – {u.example or u.text} ({u.count})" for u in report.unanswered[:TOP]]
    return "\n".join(lines)


async def weekly_summary(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime
) -> WeeklySummary:
    """Text and chart of the seven days before `now` (an aware datetime)."""
    period = last_seven_days(now)
    async with sessionmaker() as session:
        report = await build_report(session, period)
    iso = local_today(now).isocalendar()
    return WeeklySummary(
        f"{iso.year}-W{iso.week:02d}", summary_text(report), render_png(report), report
    )
