"""Zalo around the happy path: signatures, retries and replicas, tokens, send errors, rendering."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.channels.web import build_web_app, components
from bot.channels.zalo import MAX_BUTTONS, TEXT_LIMIT, render, signature, split_text
from bot.config import Settings, SettingsError, load_settings
from bot.core.messages import Button, Reply
from bot.db import repo
from bot.db.models import InboundEvent, Interaction, ZaloToken
from bot.runtime import Runtime

from ..fakes.zalo_api import APP_ID, OA_SECRET_KEY, FakeZalo
from .zalo_dialog import ZaloUnderTest, event, running, zalo_settings


@pytest.fixture
def settings_z(settings: Settings, fake_zalo: FakeZalo) -> Settings:
    return zalo_settings(settings, fake_zalo.url)  # type: ignore[attr-defined]


@pytest.fixture
async def zalo(settings_z: Settings, fake_zalo: FakeZalo) -> AsyncIterator[ZaloUnderTest]:
    async with running(settings_z, fake_zalo) as bot:
        yield bot


async def _count(bot: ZaloUnderTest, column: object) -> int:
    async with bot.runtime.sessionmaker() as session:
        return int(await session.scalar(select(func.count(column))) or 0)  # type: ignore[arg-type]


# ---------------------------------------------------------------- webhook security


async def test_signature_is_required_over_the_raw_bytes(zalo: ZaloUnderTest) -> None:
    body = event("user_send_text", text="khai bao may x quang")
    raw = json.dumps(body, ensure_ascii=False, indent=2).encode()  # as sent, not re-serialised
    mac = signature(raw, APP_ID, body["timestamp"], OA_SECRET_KEY)
    assert mac.startswith("mac=") and len(mac) == 4 + 64

    assert (await zalo.post_raw(raw, None)).status_code == 403
    assert (await zalo.post_raw(raw, "mac=" + "0" * 64)).status_code == 403
    assert (await zalo.post_raw(raw, mac.removeprefix("mac="))).status_code == 403
    wrong_key = signature(raw, APP_ID, body["timestamp"], "not-the-oa-secret")
    assert (await zalo.post_raw(raw, wrong_key)).status_code == 403
    compact = json.dumps(body, ensure_ascii=False).encode()  # same JSON, other bytes
    assert (await zalo.post_raw(compact, mac)).status_code == 403
    assert (await zalo.post_raw(b"{not json", mac)).status_code == 403
    await zalo.webhook.drain()
    assert zalo.fake.calls == [] and await _count(zalo, InboundEvent.id) == 0  # nothing handled

    assert (await zalo.post_raw(raw, mac)).status_code == 200
    await zalo.webhook.drain()
    assert "Khai báo thiết bị X-quang" in zalo.fake.calls[0].text


async def test_only_mounted_when_configured(
    settings: Settings, settings_z: Settings, runtime: Runtime
) -> None:
    def paths(current: Settings) -> list[str | None]:
        app = build_web_app(runtime, components(current, runtime))
        return [getattr(route, "path", None) for route in app.routes]

    assert "/zalo" not in paths(settings) and "/healthz" in paths(settings)
    assert "/zalo" in paths(settings_z)
    with pytest.raises(SettingsError, match="ZALO_OA_SECRET_KEY"):
        components(settings_z.model_copy(update={"zalo_oa_secret_key": None}), runtime)


def test_app_id_without_oa_secret_is_refused() -> None:
    with pytest.raises(SettingsError, match="ZALO_OA_SECRET_KEY must be set"):
        load_settings(_env_file=None, zalo_app_id=APP_ID)


# ---------------------------------------------------------------- retries and replicas


async def test_a_retried_event_is_answered_once(zalo: ZaloUnderTest) -> None:
    body = event("user_send_text", text="khai bao may x quang")
    first = await zalo.deliver(body)
    again = await zalo.deliver(body)  # Zalo retries with the same msg_id
    assert len(first) == 2 and again == []
    assert await _count(zalo, Interaction.id) == 1


async def test_two_replicas_answer_an_event_once_and_share_tokens(
    settings_z: Settings, fake_zalo: FakeZalo
) -> None:
    async with running(settings_z, fake_zalo) as one, running(settings_z, fake_zalo) as two:
        body = event("user_send_text", text="khai bao may x quang")
        responses = await asyncio.gather(one.post(body), two.post(body))
        assert [r.status_code for r in responses] == [200, 200]
        await asyncio.gather(one.webhook.drain(), two.webhook.drain())
        assert len(fake_zalo.delivered) == 2  # one card and one survey, not two of each
        assert await _count(one, Interaction.id) == 1

        await two.citizen("5555555555555555555").says("xin chao")  # both hold access-0 now

        # The access token expires; both replicas get -216 at once: one refresh only.
        fake_zalo.expire()
        fake_zalo.refresh_delay = 0.3
        before = len(fake_zalo.calls)
        a = event("user_send_text", text="khai bao may x quang")
        b = event("user_send_text", text="gia han giay phep x quang")
        b["sender"]["id"] = "9876543210987654321"
        await asyncio.gather(one.post(a), two.post(b))
        await asyncio.gather(one.webhook.drain(), two.webhook.drain())
        assert len(fake_zalo.refreshes) == 1
        calls = fake_zalo.calls[before:]
        assert sum(c.error == -216 for c in calls) == 2
        assert [c.token for c in calls if c.error == 0] == ["access-2"] * 4

    async with running(settings_z, fake_zalo) as restarted:  # a new replica reads the database
        sent = await restarted.citizen().says("khai bao may x quang")
        assert {c.token for c in sent} == {"access-2"} and len(fake_zalo.refreshes) == 1


# ---------------------------------------------------------------- tokens and send errors


async def test_expired_token_is_refreshed_once_and_stored(zalo: ZaloUnderTest) -> None:
    zalo.fake.expire()
    sent = await zalo.citizen().says("khai bao may x quang")
    assert [c.token for c in sent] == ["access-2", "access-2"]
    [refresh] = zalo.fake.refreshes
    assert refresh == {
        "refresh_token": "refresh-0",
        "app_id": APP_ID,
        "grant_type": "refresh_token",
    }
    assert [c.error for c in zalo.fake.calls] == [-216, 0, 0]  # one failure, then the retry
    async with zalo.runtime.sessionmaker() as session:
        [row] = (await session.scalars(select(ZaloToken))).all()
    assert (row.access_token, row.refresh_token) == ("access-2", "refresh-2")
    assert row.refreshed_at is not None

    await zalo.citizen().says("gia han giay phep x quang")
    assert len(zalo.fake.refreshes) == 1  # the new token keeps working


async def test_send_errors_are_logged_and_the_interaction_kept(
    zalo: ZaloUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    zalo.fake.fail_next(-230)  # the citizen is outside the interaction window
    assert await zalo.citizen().says("khai bao may x quang") == []
    assert "error -230" in caplog.text
    assert "access-0" not in caplog.text and "refresh-0" not in caplog.text
    assert zalo.citizen().user_id not in caplog.text  # logged by pseudonym
    assert await _count(zalo, Interaction.id) == 1
    assert len(await zalo.citizen().says("khai bao may x quang")) == 2  # the next turn works

    zalo.fake.expire()
    zalo.fake.refresh_token = "revoked"  # the refresh fails too: logged, nothing crashes
    assert await zalo.citizen().says("khai bao may x quang") == []
    assert "error -14014" in caplog.text and "Invalid refresh token" in caplog.text


# ---------------------------------------------------------------- rendering and storage


def test_split_text_keeps_lines_whole() -> None:
    text = "\n".join(f"dòng {i:03d} " + "y" * 90 for i in range(50))
    parts = split_text(text)
    assert len(parts) == 3 and all(len(p) <= TEXT_LIMIT for p in parts)
    assert "\n".join(parts) == text
    assert split_text("z" * 4500) == ["z" * 2000, "z" * 2000, "z" * 500]
    assert split_text("") == [""]


def test_render_numbers_the_choices_a_template_cannot_hold() -> None:
    buttons = tuple(Button(f"Lựa chọn {i}", action=f"card:{i}") for i in range(1, 9))
    link = Button("🌐 Cổng dịch vụ công", url="https://dichvucong.example.test")
    messages, numbered = render(Reply("Chọn thủ tục:", buttons=(*buttons, link)), first_number=3)
    [message] = messages
    payload = message["attachment"]["payload"]
    assert [b["payload"] for b in payload["buttons"]] == [f"#card:{i}" for i in range(1, 6)]
    assert len(payload["buttons"]) == MAX_BUTTONS
    assert [b.action for b in numbered] == ["card:6", "card:7", "card:8"]
    assert message["text"].endswith(
        "Hoặc gõ số để chọn:\n3. Lựa chọn 6\n4. Lựa chọn 7\n5. Lựa chọn 8\n"
        "🌐 Cổng dịch vụ công: https://dichvucong.example.test"
    )
    [plain], none = render(Reply("Xin chào"))
    assert plain == {"text": "Xin chào"} and none == []
    long = Button("T" * 150, action="card:x")
    assert (
        len(
            render(Reply("a", buttons=(long,)))[0][0]["attachment"]["payload"]["buttons"][0][
                "title"
            ]
        )
        <= 100
    )


async def test_claim_inbound_event_is_once_per_channel(runtime: Runtime) -> None:
    async with runtime.sessionmaker.begin() as session:
        assert await repo.claim_inbound_event(session, channel="zalo", event_id="msg:1")
        assert not await repo.claim_inbound_event(session, channel="zalo", event_id="msg:1")
        assert await repo.claim_inbound_event(session, channel="telegram", event_id="msg:1")
    async with runtime.sessionmaker.begin() as session:
        assert not await repo.claim_inbound_event(session, channel="telegram", event_id="msg:1")
