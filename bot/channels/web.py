"""One ASGI app (Starlette): `/telegram`, `/zalo`, `/admin` (staff), `/healthz`, `/readyz`.

Each part is a `WebComponent`: its routes and, optionally, a lifespan (start/stop of what it
needs). `build_web_app` joins them; `components()` lists the ones the settings enable — add
new channels or the admin there. Telegram follows PTB's custom-webhook pattern
(`.updater(None)`, `update_queue.put`): the request is answered 200 at once and the update is
processed by the application in the background. On shutdown (uvicorn's SIGTERM) the server
stops accepting requests, then each lifespan ends: PTB's `Application.stop()` finishes every
queued and in-flight update before the engine is disposed.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from importlib import metadata
from typing import Protocol

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application

from bot.channels.delivery import Router, Sender
from bot.channels.telegram import TelegramChannel, build_application, publish_menu
from bot.channels.zalo import ZaloWebhook
from bot.config import Settings, SettingsError
from bot.core.messages import Reply
from bot.db import repo
from bot.runtime import Runtime
from bot.staff.reload import KnowledgeWatcher

log = logging.getLogger(__name__)


def app_version() -> str:
    try:
        return metadata.version("tthc-bot")
    except metadata.PackageNotFoundError:  # running from a source tree without installing
        return "unknown"


SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
FIRST_RETRY_DELAY, MAX_RETRY_DELAY = 1.0, 60.0  # seconds between attempts to reach Telegram


class WebComponent(Protocol):
    """A part of the web app: routes, and what must run while the app serves."""

    routes: Sequence[BaseRoute]

    def lifespan(self) -> AbstractAsyncContextManager[None]: ...


class TelegramWebhook:
    """`POST /telegram`: checks Telegram's secret header, queues the update, answers 200."""

    def __init__(
        self,
        settings: Settings,
        runtime: Runtime,
        path: str = "/telegram",
        router: Router | None = None,
    ) -> None:
        if settings.telegram_webhook_secret is None:
            raise SettingsError("TELEGRAM_WEBHOOK_SECRET must be set to serve the webhook")
        self.secret = settings.telegram_webhook_secret.get_secret_value()
        self.application = build_application(settings, runtime, webhook=True, router=router)
        self.retry_delay = FIRST_RETRY_DELAY
        self.routes = [Route(path, self.receive, methods=["POST"])]

    async def receive(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            return Response(status_code=403)
        if not self.application.running:  # shutting down: Telegram retries (another replica)
            return Response(status_code=503)
        try:
            payload = await request.json()
        except ValueError:
            return Response(status_code=400)
        if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
            return Response(status_code=400)
        try:
            update = Update.de_json(payload, self.application.bot)
        except (KeyError, TypeError, ValueError):
            log.warning("webhook: malformed update %s", payload.get("update_id"))
            return Response(status_code=400)
        await self.application.update_queue.put(update)
        return Response()

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        """Telegram unreachable at start-up (an outage, a firewall) must not take the replica
        down with it: /healthz, /readyz, Zalo and /admin serve, updates get 503 (Telegram
        retries them) and the connection is retried in the background. A refused token
        still stops the start: that is a setting to fix, not an outage."""
        retrying: asyncio.Task[None] | None = None
        try:
            await self.application.initialize()
        except NetworkError as exc:
            log.warning("Telegram unreachable at start-up (%s): retrying", type(exc).__name__)
            retrying = asyncio.create_task(self._initialize_when_reachable())
        except InvalidToken:  # PTB's message quotes the token: never let it reach a log
            raise SettingsError("Telegram rejected TELEGRAM_TOKEN") from None
        else:
            await self._go_live()
        try:
            yield
        finally:
            if retrying is not None:
                retrying.cancel()
                await asyncio.gather(retrying, return_exceptions=True)
            if self.application.running:
                await self.application.stop()
            await self.application.shutdown()

    async def _initialize_when_reachable(self) -> None:
        delay = self.retry_delay
        while True:
            await asyncio.sleep(delay)
            try:
                await self.application.initialize()
            except NetworkError as exc:
                delay = min(delay * 2, MAX_RETRY_DELAY)
                log.warning("Telegram still unreachable (%s)", type(exc).__name__)
                continue
            except TelegramError as exc:  # the token refused: no retry helps
                log.error("Telegram refused to start the bot: %s", type(exc).__name__)
                return
            await self._go_live()
            log.info("Telegram reachable: the webhook takes updates")
            return

    async def _go_live(self) -> None:
        await self.application.start()
        await publish_menu(self.application.bot)


def components(settings: Settings, runtime: Runtime) -> list[WebComponent]:
    """Everything the settings enable. Other channels and the admin are added here.

    One `Router` joins the channels: Zalo's staff alerts and handoffs go to Telegram's staff
    chat, and a staff reply there reaches a Zalo citizen through the Zalo sender.
    """
    parts: list[WebComponent] = []
    router = Router(runtime.assistant)
    if settings.telegram_token is not None:
        telegram = TelegramWebhook(settings, runtime, router=router)
        parts.append(telegram)
        if settings.staff_chat_id is not None:
            router.register_staff(
                telegram_staff_sender(runtime, telegram.application, settings.staff_chat_id)
            )
    if settings.zalo_app_id:
        parts.append(ZaloWebhook(settings, runtime, router))
    watcher = KnowledgeWatcher(
        runtime.sessionmaker, runtime.assistant, version=runtime.knowledge_version
    )
    parts.append(watcher)  # live reload: knowledge edits reach this replica within seconds
    if settings.session_secret is not None:
        from bot.admin.app import AdminComponent  # sqladmin is loaded only when served

        parts.append(AdminComponent(settings, runtime, watcher.check))
    return parts


def telegram_staff_sender(runtime: Runtime, application: Application, chat_id: int) -> Sender:
    """The router's staff sender: Telegram's staff chat, rendered like any Telegram message."""
    channel = TelegramChannel(runtime.assistant, chat_id)

    async def send(_: str, reply: Reply) -> str | None:
        sent = await channel.send(application.bot, chat_id, reply)
        return str(sent[0]) if sent else None

    return send


def build_web_app(runtime: Runtime, parts: Sequence[WebComponent]) -> Starlette:
    """The ASGI app: `GET /healthz`, `GET /readyz`, every component's routes and lifespan.

    `/healthz` answers while the process serves (a container liveness check); `/readyz` only
    when the database answers and knowledge is loaded (a load balancer's readiness check). It
    also shows whether Telegram is connected: a replica still retrying serves Zalo and /admin,
    so that alone does not make it unready.
    """
    telegram = next((p for p in parts if isinstance(p, TelegramWebhook)), None)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        procedures = len(runtime.assistant.knowledge.procedures)
        status: dict[str, object] = {"version": app_version(), "procedures": procedures}
        if telegram is not None:
            status["telegram"] = "ok" if telegram.application.running else "connecting"
        try:
            async with runtime.sessionmaker() as session:
                await session.execute(text("SELECT 1"))
                status["knowledge_version"] = await repo.knowledge_version(session)
        except Exception as exc:
            log.warning("readiness: database unavailable (%s)", type(exc).__name__)
            return JSONResponse({"status": "database unavailable", **status}, status_code=503)
        if not procedures:
            return JSONResponse({"status": "no knowledge loaded", **status}, status_code=503)
        return JSONResponse({"status": "ok", **status})

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for part in parts:
                await stack.enter_async_context(part.lifespan())
            yield

    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
    ]
    routes += [route for part in parts for route in part.routes]
    return Starlette(routes=routes, lifespan=lifespan)
