"""`privacy purge` and the channels' bookkeeping: old dedupe claims and numbered choices go,
recent ones stay, so a retried update is still answered once and a live choice still works."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db import repo
from bot.db.models import InboundEvent, Interaction, NumberedChoices
from bot.reports.command import purge
from bot.runtime import Runtime

from ..fakes.zalo_api import FakeZalo
from .zalo_dialog import ZaloUnderTest, event, running, text_of, zalo_settings

NOW = datetime.now(UTC)


async def _claim(session: AsyncSession, channel: str, event_id: str, age: timedelta) -> None:
    assert await repo.claim_inbound_event(session, channel=channel, event_id=event_id)
    await session.execute(
        update(InboundEvent)
        .where(InboundEvent.channel == channel, InboundEvent.event_id == event_id)
        .values(received_at=NOW - age)
    )


async def _choices(session: AsyncSession, user_key: str, age: timedelta) -> None:
    await repo.set_numbered_choices(
        session, channel="zalo", user_key=user_key, choices=[("🙋 Hỏi cán bộ", "handoff")]
    )
    await session.execute(
        update(NumberedChoices)
        .where(NumberedChoices.user_key == user_key)
        .values(updated_at=NOW - age)
    )


async def _claims(session: AsyncSession) -> set[tuple[str, str]]:
    rows = await session.execute(select(InboundEvent.channel, InboundEvent.event_id))
    return {(channel, event_id) for channel, event_id in rows}


async def test_old_claims_and_choices_go_recent_ones_stay(runtime: Runtime) -> None:
    async with runtime.sessionmaker.begin() as session:
        await _claim(session, "telegram", "100", timedelta(days=10))
        await _claim(session, "telegram", "200", timedelta(hours=2))
        await _claim(session, "zalo", "msg:old", timedelta(days=8))
        await _claim(session, "zalo", "msg:new", timedelta(days=3))
        await _choices(session, "old-user", timedelta(days=10))
        await _choices(session, "new-user", timedelta(days=3))

    async with runtime.sessionmaker.begin() as session:
        result = await repo.purge_texts(session, before=NOW - timedelta(days=7), now=NOW)
    assert (result.events, result.choices) == (2, 1)
    assert result.channel_before == NOW - timedelta(days=7)
    assert (result.questions, result.comments, result.handoffs) == (0, 0, 0)

    async with runtime.sessionmaker.begin() as session:
        assert await _claims(session) == {("telegram", "200"), ("zalo", "msg:new")}
        # A duplicate of a recent update is still refused; a purged id could be claimed anew.
        assert not await repo.claim_inbound_event(session, channel="telegram", event_id="200")
        assert not await repo.claim_inbound_event(session, channel="zalo", event_id="msg:new")
        assert await repo.claim_inbound_event(session, channel="telegram", event_id="100")
        live = await repo.numbered_choice(session, user_key="new-user", number=1)
        assert live == ("🙋 Hỏi cán bộ", "handoff")
        assert await repo.numbered_choice(session, user_key="old-user", number=1) is None

    async with runtime.sessionmaker.begin() as session:
        again = await repo.purge_texts(session, before=NOW - timedelta(days=7), now=NOW)
    assert (again.events, again.choices) == (0, 0)


async def test_zero_days_still_keeps_the_last_day(runtime: Runtime) -> None:
    async with runtime.sessionmaker.begin() as session:
        await _claim(session, "telegram", "300", timedelta(hours=23))
        await _claim(session, "telegram", "301", timedelta(hours=25))
        await _choices(session, "today", timedelta(hours=23))
        await _choices(session, "yesterday", timedelta(hours=25))

    async with runtime.sessionmaker.begin() as session:
        result = await repo.purge_texts(session, before=NOW, now=NOW)
    assert (result.events, result.choices) == (1, 1)
    assert result.channel_before == NOW - timedelta(days=1)
    async with runtime.sessionmaker() as session:
        assert await _claims(session) == {("telegram", "300")}
        users = set(await session.scalars(select(NumberedChoices.user_key)))
    assert users == {"today"}


async def test_a_zalo_retry_after_purge_is_still_answered_once(
    settings: Settings, fake_zalo: FakeZalo
) -> None:
    async with running(zalo_settings(settings, fake_zalo.url), fake_zalo) as zalo:  # type: ignore[attr-defined]
        body = event("user_send_text", text="khai bao may x quang")
        assert len(await zalo.deliver(body)) == 2

        output = await purge(settings, 0)
        lines = output.splitlines()
        assert lines[0].startswith("purged 1 question text(s), 0 comment(s) and 0 handoff")
        assert lines[1].startswith(
            "deleted 0 webhook dedupe record(s) and 0 numbered choice list(s) older than "
        )
        assert await zalo.deliver(body) == []  # Zalo retries with the same msg_id
        assert await _interactions(zalo) == 1

        # Two days later the claim is gone: the floor, not luck, kept it above.
        output = await purge(settings, 0, now=datetime.now(UTC) + timedelta(days=2))
        assert output.splitlines()[1].startswith("deleted 1 webhook dedupe record(s)")
        assert "Khai báo thiết bị X-quang" in text_of(await zalo.deliver(body))
        assert await _interactions(zalo) == 2


async def _interactions(bot: ZaloUnderTest) -> int:
    async with bot.runtime.sessionmaker() as session:
        return int(await session.scalar(select(func.count(Interaction.id))) or 0)


async def test_a_numbered_choice_shown_today_survives_purge(
    telegram_settings: Settings, fake_zalo: FakeZalo
) -> None:
    """With the staff chat, "Hỏi cán bộ" is the sixth choice and is offered as "1."."""
    settings = zalo_settings(telegram_settings, fake_zalo.url)  # type: ignore[attr-defined]
    async with running(settings, fake_zalo) as both:
        lan = both.citizen()
        card, _survey = await lan.says("gia han giay phep x quang")
        assert "Hoặc gõ số để chọn:\n1. 🙋 Hỏi cán bộ" in card.text

        output = await purge(settings, 0)
        assert "and 0 numbered choice list(s)" in output
        prompt = await lan.says("1")
        assert "nhắn câu hỏi cho cán bộ" in text_of(prompt)
