"""Scheduled Telegram jobs: the weekly summary posted to the staff chat.

Every replica schedules the job in its PTB `JobQueue`; when it fires, each one builds the
summary, then tries to claim the week (`repo.claim_job_run`, a unique row). Only the claim that
lands sends, and it keeps its transaction open until the text and chart are posted: if sending
fails the claim is rolled back, so a replica waiting on the same row (PostgreSQL blocks the
second insert until the first transaction ends) gets it and tries in its place.
"""

from __future__ import annotations

import logging
from datetime import time

from telegram.ext import Application, ContextTypes, Job

from bot.config import Settings
from bot.core.calendar import TIMEZONE
from bot.db import repo
from bot.reports.weekly import WEEKLY_JOB, weekly_summary
from bot.runtime import Runtime

log = logging.getLogger(__name__)


def ptb_weekday(day: int) -> int:
    """Our day (0 = Monday, like `date.weekday()`) as PTB's `run_daily` day (0 = Sunday)."""
    return (day + 1) % 7


class WeeklyReport:
    """The job callback: one summary per ISO week in the staff chat, from one replica."""

    def __init__(self, runtime: Runtime, chat_id: int) -> None:
        self.runtime = runtime
        self.chat_id = chat_id

    async def __call__(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        sessionmaker = self.runtime.sessionmaker
        summary = await weekly_summary(sessionmaker, self.runtime.assistant.clock())
        async with sessionmaker.begin() as session:
            if not await repo.claim_job_run(session, job=WEEKLY_JOB, period_key=summary.period_key):
                log.info("weekly summary %s already sent by a replica", summary.period_key)
                return
            await context.bot.send_message(self.chat_id, summary.text)
            await context.bot.send_photo(
                self.chat_id, summary.png, filename=f"tom-tat-{summary.period_key}.png"
            )
        log.info("weekly summary %s sent to the staff chat", summary.period_key)


def schedule_weekly_report(
    application: Application, settings: Settings, runtime: Runtime
) -> Job | None:
    """Run `WeeklyReport` every WEEKLY_REPORT_DAY at WEEKLY_REPORT_HOUR, Lạng Sơn time."""
    if settings.staff_chat_id is None or application.job_queue is None:
        return None
    return application.job_queue.run_daily(
        WeeklyReport(runtime, settings.staff_chat_id),
        time=time(settings.weekly_report_hour, tzinfo=TIMEZONE),
        days=(ptb_weekday(settings.weekly_report_day),),
        name=WEEKLY_JOB,
    )
