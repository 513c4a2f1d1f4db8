"""Telegram conversations in tests: a citizen types or taps, the real bot answers over HTTP.

Updates are built from the recorded payloads in tests/fixtures/telegram/ and posted to the
bot's real webhook (Starlette + uvicorn); the bot answers through python-telegram-bot's own
HTTP client to the fake Bot API server, which records what it was asked to send.
"""

from __future__ import annotations

import copy
import html
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from telegram.ext import Application

from ..fakes.telegram_api import Call, FakeTelegram

PAYLOADS = Path(__file__).parent.parent / "fixtures" / "telegram"
SECRET = "test-webhook-secret_1"
STAFF_CHAT = -1009876543210
_update_ids = itertools.count(1)


def payload(name: str) -> dict[str, Any]:
    """A recorded update with a fresh update_id."""
    update = json.loads((PAYLOADS / f"{name}.json").read_text("utf-8"))
    update["update_id"] = next(_update_ids)
    return update


@dataclass
class Said:
    """What the bot did in answer to one update (the Bot API calls it made)."""

    calls: list[Call]

    @property
    def messages(self) -> list[Call]:
        return [c for c in self.calls if c.method in ("sendMessage", "editMessageText")]

    @property
    def text(self) -> str:
        """All texts, HTML tags removed and entities unescaped (what the citizen reads)."""
        return "\n---\n".join(html.unescape(_strip_tags(c.text)) for c in self.messages)

    @property
    def labels(self) -> list[str]:
        return [b["text"] for c in self.messages for b in c.buttons()]

    def to(self, chat_id: int) -> Said:
        return Said([c for c in self.calls if c.chat_id == chat_id])


def _strip_tags(text: str) -> str:
    return text.replace("<b>", "").replace("</b>", "")


class BotUnderTest:
    """The running webhook app, its PTB application and the fake Bot API server."""

    def __init__(self, url: str, application: Application, fake: FakeTelegram) -> None:
        self.url = url
        self.application = application
        self.fake = fake
        self.http = httpx.AsyncClient(base_url=url, timeout=10)

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return await self.http.post("/telegram", json=update, headers=headers)

    async def deliver(self, update: dict[str, Any]) -> Said:
        """Post an update and wait until the bot has fully handled it."""
        before = len(self.fake.calls)
        response = await self.post(update)
        assert response.status_code == 200, response.text
        await self.application.update_queue.join()
        return Said(self.fake.calls[before:])

    def citizen(self, user_id: int = 555000111) -> Citizen:
        return Citizen(self, user_id)


class Citizen:
    """One person in a private chat with the bot."""

    def __init__(self, bot: BotUnderTest, user_id: int) -> None:
        self.bot = bot
        self.user_id = user_id

    def _private(self, update: dict[str, Any]) -> dict[str, Any]:
        message = update.get("message") or update.get("edited_message") or {}
        for part in (message.get("from"), message.get("chat")):
            if part is not None:
                part["id"] = self.user_id
        return update

    async def says(self, text: str) -> Said:
        update = self._private(payload("message_text"))
        update["message"]["text"] = text
        if text.startswith("/"):
            length = len(text.split()[0])
            update["message"]["entities"] = [{"offset": 0, "length": length, "type": "bot_command"}]
        return await self.bot.deliver(update)

    async def sends(self, fixture: str) -> Said:
        return await self.bot.deliver(self._private(payload(fixture)))

    def button(self, label: str) -> tuple[Call, dict[str, str]]:
        """The newest message to this citizen with a button whose label contains `label`."""
        for call in reversed(self.bot.fake.calls):
            if call.chat_id != self.user_id:
                continue
            for button in call.buttons():
                if label in button["text"] and "callback_data" in button:
                    return call, button
        raise AssertionError(f"no button {label!r} was shown to {self.user_id}")

    async def taps(self, label: str) -> Said:
        call, button = self.button(label)
        markup = json.loads(call.params["reply_markup"])  # Telegram sends the tapped message
        return await self.taps_data(button["callback_data"], call.message_id or 1, markup)

    async def taps_data(
        self, data: str, message_id: int = 1, markup: dict[str, Any] | None = None
    ) -> Said:
        update = payload("callback_query")
        query = update["callback_query"]
        query["from"]["id"] = self.user_id
        query["message"]["chat"]["id"] = self.user_id
        query["message"]["message_id"] = message_id
        if markup is not None:
            query["message"]["reply_markup"] = markup
        query["data"] = data
        return await self.bot.deliver(update)


def staff_reply(to_message_id: int, text: str) -> dict[str, Any]:
    update = copy.deepcopy(payload("staff_reply"))
    update["message"]["reply_to_message"]["message_id"] = to_message_id
    update["message"]["text"] = text
    return update
