"""Zalo conversations in tests: a citizen types or taps, the real webhook app answers over HTTP.

Events are built from the recorded bodies in tests/fixtures/zalo/, signed like Zalo signs them
and posted as raw bytes to `tthc-bot serve`'s app (Starlette + uvicorn, the same
`components()` as production); the bot answers through httpx to the fake Open API server,
which records what it was asked to send. `deliver` waits for the background handling.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from bot.channels.web import TelegramWebhook, build_web_app, components
from bot.channels.zalo import ZaloWebhook, signature
from bot.config import Settings
from bot.runtime import Runtime, start

from ..fakes.telegram_api import serve
from ..fakes.zalo_api import (
    ACCESS_TOKEN,
    APP_ID,
    APP_SECRET,
    OA_SECRET_KEY,
    REFRESH_TOKEN,
    FakeZalo,
    Sent,
)
from .telegram_dialog import SECRET

PAYLOADS = Path(__file__).parent.parent / "fixtures" / "zalo"
USER = "2468458835296117922"
_ids = itertools.count(1)


def event(name: str, **message: Any) -> dict[str, Any]:
    """A recorded event with a fresh msg_id and timestamp; `message` fields override."""
    body = json.loads((PAYLOADS / f"{name}.json").read_text("utf-8"))
    n = next(_ids)
    body["timestamp"] = str(1767300000000 + n)
    if "message" in body:
        body["message"].update(msg_id=f"test{n:028d}", **message)
    return body


def zalo_settings(settings: Settings, fake_url: str) -> Settings:
    return settings.model_copy(
        update={
            "zalo_app_id": APP_ID,
            "zalo_app_secret": SecretStr(APP_SECRET),
            "zalo_oa_secret_key": SecretStr(OA_SECRET_KEY),
            "zalo_access_token": SecretStr(ACCESS_TOKEN),
            "zalo_refresh_token": SecretStr(REFRESH_TOKEN),
            "zalo_api_base": fake_url,
            "zalo_oauth_base": fake_url,
        }
    )


class ZaloUnderTest:
    """One running app (its runtime, webhook and URL) and the fake Open API behind it."""

    def __init__(self, url: str, runtime: Runtime, webhook: ZaloWebhook, fake: FakeZalo) -> None:
        self.url = url
        self.runtime = runtime
        self.webhook = webhook
        self.fake = fake
        self.telegram: TelegramWebhook | None = None
        self.http = httpx.AsyncClient(base_url=url, timeout=10)

    async def post_raw(self, raw: bytes, mac: str | None) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if mac is not None:
            headers["X-ZEvent-Signature"] = mac
        return await self.http.post("/zalo", content=raw, headers=headers)

    async def post(self, body: dict[str, Any]) -> httpx.Response:
        raw = json.dumps(body, ensure_ascii=False).encode()
        mac = signature(raw, body["app_id"], body["timestamp"], OA_SECRET_KEY)
        return await self.post_raw(raw, mac)

    async def deliver(self, body: dict[str, Any]) -> list[Sent]:
        """Post a signed event and wait until the bot has fully handled it."""
        before = len(self.fake.calls)
        response = await self.post(body)
        assert response.status_code == 200, response.text
        await self.webhook.drain()
        return [c for c in self.fake.calls[before:] if c.error == 0]

    async def post_telegram(self, update: dict[str, Any]) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        return await self.http.post("/telegram", json=update, headers=headers)

    def citizen(self, user_id: str = USER) -> Citizen:
        return Citizen(self, user_id)


class Citizen:
    """One person chatting with the OA."""

    def __init__(self, bot: ZaloUnderTest, user_id: str) -> None:
        self.bot = bot
        self.user_id = user_id

    def _from_me(self, body: dict[str, Any]) -> dict[str, Any]:
        for part in ("sender", "follower"):
            if part in body:
                body[part]["id"] = self.user_id
        return body

    async def says(self, text: str) -> list[Sent]:
        return await self.bot.deliver(self._from_me(event("user_send_text", text=text)))

    async def sends(self, fixture: str) -> list[Sent]:
        return await self.bot.deliver(self._from_me(event(fixture)))

    def payload(self, label: str) -> str:
        """The payload of the newest button shown to this citizen whose title has `label`."""
        for call in reversed(self.bot.fake.to(self.user_id)):
            for button in call.buttons:
                if label in button["title"] and button["type"] == "oa.query.show":
                    return str(button["payload"])
        raise AssertionError(f"no button {label!r} was shown to {self.user_id}")

    async def taps(self, label: str) -> list[Sent]:
        """An `oa.query.show` tap: Zalo sends the payload as the citizen's message."""
        return await self.says(self.payload(label))


def text_of(calls: list[Sent]) -> str:
    return "\n---\n".join(c.text for c in calls)


def titles(calls: list[Sent]) -> list[str]:
    return [b["title"] for c in calls for b in c.buttons]


@asynccontextmanager
async def running(settings: Settings, fake: FakeZalo) -> AsyncIterator[ZaloUnderTest]:
    """`tthc-bot serve` in-process with these settings: every enabled component, on uvicorn."""
    runtime = await start(settings)
    try:
        parts = components(settings, runtime)
        webhook = next(p for p in parts if isinstance(p, ZaloWebhook))
        async with serve(build_web_app(runtime, parts)) as url:
            bot = ZaloUnderTest(url, runtime, webhook, fake)
            bot.telegram = next((p for p in parts if isinstance(p, TelegramWebhook)), None)
            try:
                yield bot
            finally:
                await bot.http.aclose()
    finally:
        await runtime.close()
