"""Telegram (python-telegram-bot v22): one `build_application()`; handlers only translate.

Handlers turn an `Update` into an `Incoming`, ask the core for a `Turn`, and deliver it:
replies to the chat that wrote (a survey tap edits the tapped message), `Outgoing` messages to
the staff chat or to a citizen a staff member answered. Every knowledge text is HTML-escaped;
titles are bold; texts over 4,096 characters are split on line boundaries.

Only private chats are served. Group chats (other than replies in the staff chat), channel
posts and edited messages are ignored quietly: they are not requested from Telegram at all
(`ALLOWED_UPDATES`), and the handlers' filters drop any that still arrive.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from telegram import (
    Bot,
    BotCommand,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.channels.delivery import NOT_DELIVERED, Router
from bot.channels.telegram_http import JsonBodyRequest
from bot.channels.telegram_jobs import schedule_weekly_report
from bot.channels.telegram_render import attach_survey, render, tick, with_keyboard
from bot.config import Settings, SettingsError
from bot.core import browse
from bot.core.assistant import Assistant
from bot.core.messages import STAFF, Incoming, Reply, Turn
from bot.runtime import Runtime
from bot.staff import chat as staff_chat

log = logging.getLogger(__name__)

CHANNEL = "telegram"
COMMANDS = tuple(name for name, _ in browse.MENU)
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
MEDIA = (
    "sticker",
    "photo",
    "voice",
    "video_note",
    "video",
    "animation",
    "audio",
    "document",
    "location",
    "venue",
    "contact",
    "poll",
    "dice",
)
APOLOGY = "Xin lỗi, hệ thống đang gặp sự cố. Bạn vui lòng thử lại sau ít phút."
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# `_api` calls sendMessage and the edits through `do_api_request`, which suggests the typed
# methods instead.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.(send|edit)_", category=PTBUserWarning)


def media_kind(message: Message) -> str:
    return next((name for name in MEDIA if getattr(message, name, None)), "other")


# ---------------------------------------------------------------- resilience


class RetryingRateLimiter(AIORateLimiter):
    """AIORateLimiter (which retries RetryAfter) that also retries a timed-out request."""

    attempts = 3

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        for attempt in range(1, self.attempts + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except TimedOut:
                if attempt == self.attempts:
                    raise
                log.warning("Telegram %s timed out, retry %d", endpoint, attempt)
                await asyncio.sleep(0.5 * attempt)
        raise AssertionError("unreachable")


# ---------------------------------------------------------------- handlers


class TelegramChannel:
    """Translates Updates for the core and delivers its Turns; no business logic here."""

    def __init__(
        self, assistant: Assistant, staff_chat_id: int | None, router: Router | None = None
    ) -> None:
        self.assistant = assistant
        self.staff_chat_id = staff_chat_id
        self.router = router  # delivers to citizens on other channels (delivery.py)

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message and message.text
        name = message.text.split()[0].lstrip("/").split("@")[0].lower()
        args = " ".join(context.args or [])
        incoming = Incoming(CHANNEL, _uid(update), args, command=name, event_id=_eid(update))
        await self._answer(context.bot, message, incoming)

    async def on_staff_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/thongke, /chuatraloi from an ADMIN_IDS user: the staff module writes the text."""
        message = update.effective_message
        assert message and message.text
        name = message.text.split()[0].lstrip("/").split("@")[0].lower()
        if not await self.assistant.first_delivery(
            Incoming(CHANNEL, _uid(update), event_id=_eid(update))
        ):
            return
        now = datetime.now(UTC)  # interactions are stamped with the real time
        text = await staff_chat.answer(name, self.assistant.sessionmaker, now)
        await self.send(context.bot, message.chat.id, Reply(text, kind="staff"))

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message and message.text
        incoming = Incoming(CHANNEL, _uid(update), message.text, event_id=_eid(update))
        await self._answer(context.bot, message, incoming)

    async def on_media(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message
        incoming = Incoming(CHANNEL, _uid(update), media=media_kind(message), event_id=_eid(update))
        await self._answer(context.bot, message, incoming)

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query
        if not query.data or query.message is None:
            await query.answer()
            return
        incoming = Incoming(
            CHANNEL, str(query.from_user.id), action=query.data, event_id=_eid(update)
        )
        turn = await self.assistant.respond(incoming)
        if turn.already_handled:
            return
        rated = next((r.text for r in turn.replies if r.kind == "rated"), None)
        await query.answer(rated)  # a rating is confirmed by a toast and a tick, not a message
        tapped = query.message if isinstance(query.message, Message) else None
        await self.deliver(context.bot, query.message.chat.id, turn, tapped, query.data)

    async def on_staff_reply(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message and message.reply_to_message and message.from_user
        incoming = Incoming(
            CHANNEL,
            str(message.from_user.id),
            message.text or "",
            reply_to=str(message.reply_to_message.message_id),
            from_staff=True,
            event_id=_eid(update),
        )
        await self._answer(context.bot, message, incoming)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log first, then tell the staff chat and apologise to the citizen."""
        log.error("error while handling a Telegram update", exc_info=context.error)
        error = type(context.error).__name__
        try:
            if self.staff_chat_id is not None:
                await context.bot.send_message(
                    self.staff_chat_id, f"⚠️ Trợ lý gặp lỗi khi xử lý một tin nhắn: {error}"
                )
            chat = update.effective_chat if isinstance(update, Update) else None
            if chat is not None and chat.type == chat.PRIVATE:
                await context.bot.send_message(chat.id, APOLOGY)
        except Exception:
            log.exception("could not report the error")

    async def _answer(self, bot: Bot, message: Message, incoming: Incoming) -> None:
        turn = await self.assistant.respond(incoming)
        await self.deliver(bot, message.chat.id, turn)

    # ------------------------------------------------------------ delivery

    async def deliver(
        self,
        bot: Bot,
        chat_id: int,
        turn: Turn,
        tapped: Message | None = None,
        action: str | None = None,
    ) -> None:
        """Replies to `chat_id` (an answer and its survey as one message; edits of the
        `tapped` message where asked), then every Outgoing to its recipient."""
        for reply in attach_survey(turn.replies):
            if reply.edit and tapped is not None and await self._edit(tapped, reply, action):
                continue
            if reply.text:
                await self.send(bot, chat_id, reply)
        for out in turn.outgoing:
            if out.to == STAFF:
                if self.staff_chat_id is None:
                    log.warning("no STAFF_CHAT_ID: a %s message was not delivered", out.reply.kind)
                    continue
                sent = await self.send(bot, self.staff_chat_id, out.reply)
                if out.handoff_id is not None:
                    await self.assistant.link_handoff(out.handoff_id, str(sent[0]))
            elif out.channel == CHANNEL:
                await self.send(bot, int(out.to), out.reply)
            elif self.router is not None:
                if not await self.router.deliver(out):  # e.g. Zalo: outside the reply window
                    await self.send(bot, chat_id, Reply(NOT_DELIVERED, kind="not_delivered"))
            else:
                log.warning("cannot deliver a message to channel %s from Telegram", out.channel)

    async def send(self, bot: Bot, chat_id: int, reply: Reply) -> list[int]:
        """The ids of the messages sent (`_api`: read from Telegram's answer as JSON)."""
        chunks = render(reply)
        sent = []
        for i, chunk in enumerate(chunks):
            keyboard = with_keyboard(reply.buttons) if i == len(chunks) - 1 else None
            message = await _api(bot, "send_message", chat_id=chat_id, **_html(chunk, keyboard))
            sent.append(message["message_id"])
        return sent

    async def _edit(self, message: Message, reply: Reply, action: str | None) -> bool:
        """Replace the tapped message, only drop its buttons, or (a rating) only tick the
        tapped button, keeping the answer above it; False to send instead."""
        bot, where = message.get_bot(), {"chat_id": message.chat_id, "message_id": message.id}
        try:
            if reply.kind == "rated" and action and message.reply_markup:
                ticked = tick(message.reply_markup, action)
                await _api(bot, "edit_message_reply_markup", **where, reply_markup=ticked)
                return True
            if not reply.text:
                await _api(bot, "edit_message_reply_markup", **where)
                return True
            chunks = render(reply)
            if len(chunks) > 1:
                return False
            keyboard = with_keyboard(reply.buttons)
            await _api(bot, "edit_message_text", **where, **_html(chunks[0], keyboard))
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return True
            log.info("could not edit a message (%s); sending instead", exc)
            return False
        return True


async def _api(bot: Bot, endpoint: str, **params: object) -> Any:
    """A Bot API call whose answer is read as JSON. Telegram answers a message sent or edited
    with the whole message, its formatting and keyboard included; PTB objects built from that
    cost ~0.25 ms a call (bench/README.md) and nothing here reads more than its id."""
    return await bot.do_api_request(endpoint, api_kwargs=params)


def _html(text: str, keyboard: dict[str, str] | None) -> dict[str, object]:
    """The parameters of a text of ours: HTML, no link preview, its keyboard if any."""
    return {
        "text": text,
        "parse_mode": ParseMode.HTML,
        "link_preview_options": NO_PREVIEW,
        **(keyboard or {}),
    }


def _uid(update: Update) -> str:
    assert update.effective_user
    return str(update.effective_user.id)


def _eid(update: Update) -> str:
    """The delivery id the core answers once across replicas and retries."""
    return str(update.update_id)


# ---------------------------------------------------------------- wiring


def build_application(
    settings: Settings, runtime: Runtime, *, webhook: bool = False, router: Router | None = None
) -> Application:
    """The whole Telegram bot: every handler registered here, nowhere else."""
    if settings.telegram_token is None:
        raise SettingsError("TELEGRAM_TOKEN is not set")
    # httpx logs every request URL at INFO, and Telegram URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    builder = (
        Application.builder()
        .token(settings.telegram_token.get_secret_value())
        .request(JsonBodyRequest())
        .rate_limiter(
            RetryingRateLimiter(max_retries=3, overall_max_rate=settings.telegram_max_rate)
        )
        .concurrent_updates(True)
    )
    if settings.telegram_base_url:
        base = settings.telegram_base_url
        builder = builder.base_url(base)
        if base.endswith("/bot"):
            builder = builder.base_file_url(base[: -len("bot")] + "file/bot")
    if webhook:
        builder = builder.updater(None)
    application = builder.build()

    channel = TelegramChannel(runtime.assistant, settings.staff_chat_id, router)
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    if settings.staff_chat_id is not None:
        staff_replies = (
            filters.Chat(settings.staff_chat_id)
            & filters.UpdateType.MESSAGE
            & filters.REPLY
            & filters.TEXT
            & ~filters.COMMAND
        )
        application.add_handler(MessageHandler(staff_replies, channel.on_staff_reply))
    if settings.admin_ids:  # others fall through to the normal unknown-command reply
        admins = private & filters.User(user_id=settings.admin_ids)
        application.add_handler(
            CommandHandler(staff_chat.COMMANDS, channel.on_staff_command, filters=admins)
        )
    application.add_handler(CommandHandler(COMMANDS, channel.on_command, filters=private))
    application.add_handler(MessageHandler(private & filters.COMMAND, channel.on_command))
    application.add_handler(MessageHandler(private & filters.TEXT, channel.on_text))
    application.add_handler(MessageHandler(private & ~filters.TEXT, channel.on_media))
    application.add_handler(CallbackQueryHandler(channel.on_callback))
    application.add_error_handler(channel.on_error)
    schedule_weekly_report(application, settings, runtime)
    return application


async def publish_menu(bot: Bot) -> None:
    """The "/" menu of Telegram apps lists our commands in Vietnamese (idempotent: every
    replica may do it at start); a failure only loses the menu, never the bot."""
    try:
        await bot.set_my_commands([BotCommand(name, text) for name, text in browse.MENU])
    except TelegramError as exc:
        log.warning("could not publish the command menu: %s", exc)


async def run_polling(settings: Settings, runtime: Runtime, stop: asyncio.Event) -> None:
    """Long polling until `stop` is set (the webhook, if any, is removed first)."""
    application = build_application(settings, runtime)
    async with application:
        assert application.updater
        await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        await application.start()
        await publish_menu(application.bot)
        log.info("Telegram bot @%s polling", application.bot.username)
        await stop.wait()
        await application.updater.stop()
        await application.stop()


async def set_webhook(settings: Settings, url: str) -> bool:
    """Register `url` (…/telegram of `tthc-bot serve`) with the secret token."""
    if settings.telegram_webhook_secret is None:
        raise SettingsError("TELEGRAM_WEBHOOK_SECRET must be set before registering a webhook")
    if settings.telegram_token is None:
        raise SettingsError("TELEGRAM_TOKEN is not set")
    bot = Bot(
        settings.telegram_token.get_secret_value(),
        base_url=settings.telegram_base_url or "https://api.telegram.org/bot",
    )
    async with bot:
        return await bot.set_webhook(
            url,
            secret_token=settings.telegram_webhook_secret.get_secret_value(),
            allowed_updates=ALLOWED_UPDATES,
        )
