"""Two replicas of `tthc-bot serve` on one database behave like one bot.

Each replica is a real webhook app (its own Runtime, engine and PTB Application) on its own
uvicorn port; both talk to the one fake Bot API server and share the test database (a SQLite
file, and PostgreSQL when TEST_DATABASE_URL is set — the deployment this is for).
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from matplotlib.image import imread
from sqlalchemy import func, select

from bot.channels.telegram_jobs import ptb_weekday
from bot.channels.web import TelegramWebhook, build_web_app
from bot.config import Settings
from bot.core.calendar import TIMEZONE
from bot.db.models import Feedback, Interaction, JobRun
from bot.reports.weekly import WEEKLY_JOB
from bot.runtime import Runtime, start

from ..fakes.telegram_api import FakeTelegram, serve
from .conftest import NOW
from .telegram_dialog import STAFF_CHAT, BotUnderTest, Citizen, payload

Replicas = tuple[BotUnderTest, BotUnderTest]


@pytest.fixture
async def replicas(
    telegram_settings: Settings, telegram_runtime: Runtime, fake_telegram: FakeTelegram
) -> AsyncIterator[Replicas]:
    """Replica A on the usual test runtime, replica B on a second one (same database)."""
    second = await start(telegram_settings)
    second.assistant.clock = lambda: NOW
    bots: list[BotUnderTest] = []
    try:
        a = TelegramWebhook(telegram_settings, telegram_runtime)
        b = TelegramWebhook(telegram_settings, second)
        async with (
            serve(build_web_app(telegram_runtime, [a])) as url_a,
            serve(build_web_app(second, [b])) as url_b,
        ):
            bots = [
                BotUnderTest(url_a, a.application, fake_telegram),
                BotUnderTest(url_b, b.application, fake_telegram),
            ]
            yield bots[0], bots[1]
    finally:
        for bot in bots:
            await bot.http.aclose()
        await second.close()


async def deliver_to_both(replicas: Replicas, update: dict) -> None:
    """Telegram retried: the same update reaches both replicas at (nearly) the same time."""
    responses = await asyncio.gather(*(bot.post(update) for bot in replicas))
    assert [r.status_code for r in responses] == [200, 200]
    for bot in replicas:
        await bot.application.update_queue.join()


async def test_the_same_update_on_two_replicas_is_answered_once(
    replicas: Replicas, telegram_runtime: Runtime
) -> None:
    a, _ = replicas
    update = payload("message_text")
    update["message"]["text"] = "khai báo máy x quang"
    await deliver_to_both(replicas, update)

    replies = [c.text for c in a.fake.calls_of("sendMessage") if c.chat_id > 0]
    assert len(replies) == 1, replies  # one answer: the card with its survey question
    assert "X-quang" in replies[0] and "giúp ích" in replies[0]
    async with telegram_runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Interaction)) == 1

    await deliver_to_both(replicas, update)  # a late retry to either replica: still nothing
    assert len([c for c in a.fake.calls_of("sendMessage") if c.chat_id > 0]) == 1


async def test_an_answer_from_a_is_rated_through_b(
    replicas: Replicas, telegram_runtime: Runtime
) -> None:
    a, b = replicas
    on_a, on_b = Citizen(a, 555000222), Citizen(b, 555000222)
    card = await on_a.says("khai báo máy x quang")
    assert "🙂" in card.labels
    _, button = on_a.button("😍")
    assert button["callback_data"].startswith("fb:") and button["callback_data"].endswith(":5")

    thanks = await on_b.taps("😍")  # the tap reaches the other replica
    assert thanks.messages, "replica B answered the tap"
    tap = payload("callback_query")  # and a duplicated tap reaches both: still one rating
    tap["callback_query"]["from"]["id"] = tap["callback_query"]["message"]["chat"]["id"] = 555000222
    tap["callback_query"]["data"] = button["callback_data"]
    await deliver_to_both(replicas, tap)

    async with telegram_runtime.sessionmaker() as session:
        rows = (await session.scalars(select(Feedback))).all()
    assert [(row.interaction_id, row.score) for row in rows] == [
        (int(button["callback_data"].split(":")[1]), 5)
    ]


async def test_the_weekly_summary_is_sent_by_exactly_one_replica(
    replicas: Replicas, telegram_runtime: Runtime
) -> None:
    a, b = replicas
    await Citizen(a, 555000333).says("khai báo máy x quang")  # something to report on
    jobs = [bot.application.job_queue.get_jobs_by_name(WEEKLY_JOB) for bot in replicas]
    assert all(len(found) == 1 for found in jobs), "every replica schedules the job"
    job_a, job_b = jobs[0][0], jobs[1][0]
    assert job_a.next_t is not None  # Monday 08:00 in Lạng Sơn (the default)
    next_run = job_a.next_t.astimezone(TIMEZONE)
    assert (next_run.weekday(), next_run.hour, next_run.minute) == (0, 8, 0)
    assert [ptb_weekday(day) for day in range(7)] == [1, 2, 3, 4, 5, 6, 0]  # PTB: 0 = Sunday

    # Interactions are stamped with the real time: run the job as if a week from now.
    in_a_week = lambda: datetime.now(UTC) + timedelta(days=7)  # noqa: E731
    for job in (job_a, job_b):
        job.callback.runtime.assistant.clock = in_a_week  # type: ignore[attr-defined]
    await asyncio.gather(job_a.run(a.application), job_b.run(b.application))

    texts = [c for c in a.fake.calls_of("sendMessage") if c.chat_id == STAFF_CHAT]
    photos = [c for c in a.fake.calls_of("sendPhoto") if c.chat_id == STAFF_CHAT]
    assert len(texts) == 1 and len(photos) == 1
    first_day = datetime.now(TIMEZONE).date()
    assert texts[0].text.startswith(f"📊 Tóm tắt tuần {first_day:%d/%m} – ")
    assert "• Câu hỏi: 1 " in texts[0].text
    (png,) = photos[0].files.values()
    assert photos[0].content_type == "multipart/form-data"  # uploads stay PTB's
    assert imread(io.BytesIO(png), format="png").shape[1] > 0
    async with telegram_runtime.sessionmaker() as session:
        keys = (await session.scalars(select(JobRun.period_key))).all()
    iso = (datetime.now(TIMEZONE) + timedelta(days=7)).isocalendar()
    assert keys == [f"{iso.year}-W{iso.week:02d}"]
