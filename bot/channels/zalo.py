"""Zalo Official Account: `POST /zalo` webhook events in, consultation messages out.

The webhook checks Zalo's signature over the exact request bytes, answers 200 at once (Zalo
gives up after about two seconds and retries) and handles the event in a background task:
claimed once in the database by its `msg_id` (so a retry, or the same event reaching another
replica, is skipped), translated to an `Incoming`, answered by the core, and the `Turn`
delivered — replies through the Open API, `Outgoing` messages through the shared `Router`
(staff alerts and handoffs to Telegram's staff chat).

Zalo has no message editing and at most `MAX_BUTTONS` buttons per message: buttons are
`oa.query.show` buttons whose payload is `#` + the core's action (`#fb:12:5`), the rest become
numbered lines the citizen can type ("6"), remembered in the database for any replica.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.channels.delivery import Router
from bot.channels.splitting import split_on_lines
from bot.channels.zalo_api import ZaloClient, ZaloError, ZaloTokens
from bot.config import Settings, SettingsError
from bot.core.assistant import Assistant
from bot.core.messages import Button, Incoming, Reply, Turn
from bot.db import repo
from bot.runtime import Runtime

log = logging.getLogger(__name__)

CHANNEL = "zalo"
SIGNATURE_HEADER = "X-ZEvent-Signature"
TEXT_LIMIT = 2000  # characters per message
# Buttons per consultation message: a text with a template attachment whose payload is only
# `buttons` (no template_type), the shape and the limit of Zalo's "tin tư vấn đính kèm nút"
# as republished by eSMS (developers.esms.vn, "Send Zalo message Consulting button").
MAX_BUTTONS = 5
TITLE_LIMIT = 100  # characters per button title
QUERY_BUTTON = "oa.query.show"  # the tap sends the payload as the citizen's message
ACTION_PREFIX = "#"
_ACTION = re.compile(r"#([a-z]{2,8}:\S{0,200})")
TEXT_EVENTS = ("user_send_text", "user_click_button")
CHOOSE = "Hoặc gõ số để chọn:"
APOLOGY = "Xin lỗi, hệ thống đang gặp sự cố. Bạn vui lòng thử lại sau ít phút."


# ---------------------------------------------------------------- webhook security


def signature(raw_body: bytes, app_id: str, timestamp: str, oa_secret_key: str) -> str:
    """`mac=` + sha256_hex(app_id + raw body + timestamp + OA secret key), as Zalo signs."""
    digest = hashlib.sha256(
        app_id.encode() + raw_body + timestamp.encode() + oa_secret_key.encode()
    ).hexdigest()
    return f"mac={digest}"


def verify(raw_body: bytes, header: str | None, oa_secret_key: str) -> dict[str, Any] | None:
    """The event if `header` signs `raw_body`, else None (app_id and timestamp from the body)."""
    if not header:
        return None
    try:
        event = json.loads(raw_body)
    except ValueError:
        return None
    if not isinstance(event, dict) or "app_id" not in event or "timestamp" not in event:
        return None
    expected = signature(raw_body, str(event["app_id"]), str(event["timestamp"]), oa_secret_key)
    return event if hmac.compare_digest(header.encode(), expected.encode()) else None


# ---------------------------------------------------------------- events


def event_id(event: dict[str, Any], user_key: str) -> str:
    """Zalo's `message.msg_id`; events without one (follow) by kind, pseudonym and time."""
    message = event.get("message") or {}
    if isinstance(message, dict) and message.get("msg_id"):
        return f"msg:{message['msg_id']}"
    return f"{event.get('event_name')}:{user_key}:{event.get('timestamp')}"


def sender_id(event: dict[str, Any]) -> str | None:
    for part in ("sender", "follower"):
        value = event.get(part)
        if isinstance(value, dict) and value.get("id"):
            return str(value["id"])
    return None


def as_action(text: str, clicked: bool = False) -> str | None:
    """The core action in a button payload (`#sec:2.002131:docs`), else None."""
    payload = text.strip()
    if clicked and not payload.startswith(ACTION_PREFIX):
        payload = ACTION_PREFIX + payload
    match = _ACTION.fullmatch(payload)
    return match.group(1) if match else None


# ---------------------------------------------------------------- rendering


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Text cut into messages of at most `limit` characters, between lines where possible."""
    return split_on_lines(text, limit)


def zalo_button(button: Button) -> dict[str, Any]:
    title = button.label if len(button.label) <= TITLE_LIMIT else button.label[: TITLE_LIMIT - 1]
    if button.url:
        return {"title": title, "type": "oa.open.url", "payload": {"url": button.url}}
    return {"title": title, "type": QUERY_BUTTON, "payload": ACTION_PREFIX + (button.action or "")}


def render(reply: Reply, first_number: int = 1) -> tuple[list[dict[str, Any]], list[Button]]:
    """The reply as Zalo messages, and the buttons that became numbered text choices.

    The first `MAX_BUTTONS` buttons go into a template under the last message; the others
    are listed under the text, numbered from `first_number` (links are shown as links).
    """
    shown, rest = reply.buttons[:MAX_BUTTONS], reply.buttons[MAX_BUTTONS:]
    numbered = [b for b in rest if b.action]
    text = f"📋 {reply.title}\n\n{reply.text}" if reply.title else reply.text
    lines = [f"{n}. {b.label}" for n, b in enumerate(numbered, start=first_number)]
    lines = ([CHOOSE, *lines] if lines else []) + [f"{b.label}: {b.url}" for b in rest if b.url]
    if lines:
        text += "\n\n" + "\n".join(lines)
    messages: list[dict[str, Any]] = [{"text": chunk} for chunk in split_text(text)]
    if shown:
        messages[-1]["attachment"] = {
            "type": "template",
            "payload": {"buttons": [zalo_button(b) for b in shown]},
        }
    return messages, numbered


# ---------------------------------------------------------------- the channel


class ZaloChannel:
    """Translates events for the core and delivers its Turns; no business logic here."""

    def __init__(self, assistant: Assistant, client: ZaloClient, router: Router) -> None:
        self.assistant = assistant
        self.client = client
        self.router = router

    def _who(self, user_id: str) -> str:
        """The pseudonym to log instead of the raw Zalo user id."""
        return self.assistant.user_key(Incoming(CHANNEL, user_id))[:12]

    async def process(self, event: dict[str, Any]) -> None:
        """Handle one verified event; every failure is logged here (it runs in the background)."""
        try:
            await self._process(event)
        except Exception:
            log.exception("error while handling a Zalo %s event", event.get("event_name"))

    async def _process(self, event: dict[str, Any]) -> None:
        kind, user_id = str(event.get("event_name") or ""), sender_id(event)
        if kind != "follow" and kind not in TEXT_EVENTS and not kind.startswith("user_send_"):
            log.info("Zalo event %r ignored", kind)
            return
        if user_id is None:
            log.warning("Zalo %s event without a sender ignored", kind)
            return
        key = event_id(event, self.assistant.user_key(Incoming(CHANNEL, user_id)))
        incoming = await self.translate(kind, user_id, event.get("message") or {})
        try:
            turn = await self.assistant.respond(replace(incoming, event_id=key))
        except Exception:
            log.exception("error while answering a Zalo %s event", kind)
            turn = Turn((Reply(APOLOGY, kind="error"),))
        if not turn.already_handled:
            await self.deliver(user_id, turn)

    async def translate(self, kind: str, user_id: str, message: dict[str, Any]) -> Incoming:
        if kind == "follow":
            return Incoming(CHANNEL, user_id, command="start")
        if kind not in TEXT_EVENTS:
            return Incoming(CHANNEL, user_id, media=kind.removeprefix("user_send_"))
        text = str(message.get("text") or "")
        action = as_action(text, clicked=kind == "user_click_button")
        if action:
            return Incoming(CHANNEL, user_id, action=action)
        typed = text.strip()
        if typed.isascii() and typed.isdigit() and len(typed) <= 3:
            user_key = self.assistant.user_key(Incoming(CHANNEL, user_id))
            async with self.assistant.sessionmaker() as session:
                choice = await repo.numbered_choice(session, user_key=user_key, number=int(typed))
            if choice is not None:
                return Incoming(CHANNEL, user_id, text=choice[0], action=choice[1])
        if typed.startswith("/") and len(typed) > 1:
            name, _, args = typed[1:].partition(" ")
            return Incoming(CHANNEL, user_id, text=args.strip(), command=name.lower())
        return Incoming(CHANNEL, user_id, text)

    async def deliver(self, user_id: str, turn: Turn) -> None:
        """Replies to the citizen, then Outgoing messages through the router (always)."""
        replies = [r for r in turn.replies if r.text]  # an empty edit only drops buttons
        try:
            await self._send(user_id, replies)
        except ZaloError as exc:
            log.warning(
                "Zalo: reply to user %s not delivered: error %d (%s)",
                self._who(user_id),
                exc.code,
                exc.message,
            )
        for out in turn.outgoing:
            await self.router.deliver(out)

    async def send_reply(self, to: str, reply: Reply) -> str | None:
        """The router's sender for Zalo citizens (a staff answer relayed from Telegram)."""
        return await self._send(to, [reply])

    async def _send(self, user_id: str, replies: list[Reply]) -> str | None:
        """Send every message of `replies`; remember their numbered choices; first message id."""
        if not replies:
            return None
        messages: list[dict[str, Any]] = []
        numbered: list[Button] = []
        for reply in replies:
            rendered, choices = render(reply, len(numbered) + 1)
            messages += rendered
            numbered += choices
        user_key = self.assistant.user_key(Incoming(CHANNEL, user_id))
        async with self.assistant.sessionmaker.begin() as session:
            await repo.set_numbered_choices(
                session,
                channel=CHANNEL,
                user_key=user_key,
                choices=[(b.label, b.action or "") for b in numbered],
            )
        first: str | None = None
        for message in messages:
            message_id = await self.client.send(user_id, message)
            first = first or message_id
        return first


# ---------------------------------------------------------------- web component


class ZaloWebhook:
    """`POST /zalo`: verifies the signature, answers 200, handles the event in the background.

    `drain()` waits for the events in progress; the app's shutdown calls it, and so do tests.
    """

    def __init__(
        self, settings: Settings, runtime: Runtime, router: Router, path: str = "/zalo"
    ) -> None:
        if not settings.zalo_app_id or settings.zalo_oa_secret_key is None:
            raise SettingsError("ZALO_APP_ID and ZALO_OA_SECRET_KEY must be set to serve Zalo")
        self.secret = settings.zalo_oa_secret_key.get_secret_value()
        self.http = httpx.AsyncClient(timeout=10)
        tokens = ZaloTokens(
            sessionmaker=runtime.sessionmaker,
            http=self.http,
            oauth_base=settings.zalo_oauth_base,
            app_id=settings.zalo_app_id,
            app_secret=_secret(settings.zalo_app_secret),
            access_token=_secret(settings.zalo_access_token),
            refresh_token=_secret(settings.zalo_refresh_token),
        )
        client = ZaloClient(http=self.http, api_base=settings.zalo_api_base, tokens=tokens)
        self.channel = ZaloChannel(runtime.assistant, client, router)
        router.register(CHANNEL, self.channel.send_reply)
        self.routes = [Route(path, self.receive, methods=["POST"])]
        self._tasks: set[asyncio.Task[None]] = set()

    async def receive(self, request: Request) -> Response:
        raw = await request.body()
        event = verify(raw, request.headers.get(SIGNATURE_HEADER), self.secret)
        if event is None:
            return Response(status_code=403)
        task = asyncio.create_task(self.channel.process(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return Response()

    async def drain(self) -> None:
        """Wait until every event received so far (and any they started) is handled."""
        while self._tasks:
            await asyncio.gather(*self._tasks)

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await self.drain()
            await self.http.aclose()


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None
