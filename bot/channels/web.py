"""One ASGI app (Starlette) for every webhook: `/telegram`, `/healthz`, later `/zalo`, `/admin`.

Each part is a `WebComponent`: its routes and, optionally, a lifespan (start/stop of what it
needs). `build_web_app` joins them; `components()` lists the ones the settings enable — add
new channels or the admin there. Telegram follows PTB's custom-webhook pattern
(`.updater(None)`, `update_queue.put`): the request is answered 200 at once and the update is
processed by the application in the background.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Protocol

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Update

from bot.channels.telegram import build_application
from bot.config import Settings, SettingsError
from bot.runtime import Runtime

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebComponent(Protocol):
    """A part of the web app: routes, and what must run while the app serves."""

    routes: Sequence[BaseRoute]

    def lifespan(self) -> AbstractAsyncContextManager[None]: ...


class TelegramWebhook:
    """`POST /telegram`: checks Telegram's secret header, queues the update, answers 200."""

    def __init__(self, settings: Settings, runtime: Runtime, path: str = "/telegram") -> None:
        if settings.telegram_webhook_secret is None:
            raise SettingsError("TELEGRAM_WEBHOOK_SECRET must be set to serve the webhook")
        self.secret = settings.telegram_webhook_secret.get_secret_value()
        self.application = build_application(settings, runtime, webhook=True)
        self.routes = [Route(path, self.receive, methods=["POST"])]

    async def receive(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            return Response(status_code=403)
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
        async with self.application:
            await self.application.start()
            try:
                yield
            finally:
                await self.application.stop()


def components(settings: Settings, runtime: Runtime) -> list[WebComponent]:
    """Everything the settings enable. Other channels and the admin are added here."""
    parts: list[WebComponent] = []
    if settings.telegram_token is not None:
        parts.append(TelegramWebhook(settings, runtime))
    return parts


def build_web_app(runtime: Runtime, parts: Sequence[WebComponent]) -> Starlette:
    """The ASGI app: `GET /healthz` plus every component's routes and lifespan."""

    async def healthz(_: Request) -> Response:
        try:
            async with runtime.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as exc:
            log.warning("health check: database unavailable (%s)", type(exc).__name__)
            return JSONResponse({"status": "database unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for part in parts:
                await stack.enter_async_context(part.lifespan())
            yield

    routes: list[BaseRoute] = [Route("/healthz", healthz, methods=["GET"])]
    routes += [route for part in parts for route in part.routes]
    return Starlette(routes=routes, lifespan=lifespan)
