"""A fake Telegram Bot API server on loopback, for driving python-telegram-bot over real HTTP.

It answers the methods the bot uses, records every call (method and parameters), queues
updates for `getUpdates` long polling, and can fail the next call of a method with a 429
`retry_after`, the way Telegram rate-limits.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TOKEN = "123456:TEST-token-not-real"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "TTHC",
    "username": "tthc_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, str]
    message_id: int | None = None  # of the message sent or edited
    files: dict[str, bytes] = field(default_factory=dict)  # uploads (sendPhoto)
    content_type: str = ""  # how the parameters came: JSON, form fields or multipart
    connection: str = ""  # the client's address and port: one per HTTP connection

    def json(self, name: str) -> Any:
        value = self.params.get(name)
        return json.loads(value) if value is not None else None

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return self.params.get("text", "")

    def buttons(self) -> list[dict[str, str]]:
        markup = self.json("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


class FakeTelegram:
    """The server's state; `app` is its ASGI application."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.webhook_url: str | None = None
        self._new_update = asyncio.Event()
        self._failures: dict[str, int] = {}
        self._rejections: dict[str, str] = {}
        self.delays: dict[str, float] = {}  # seconds a method takes to answer
        self._stalls: dict[str, float] = {}
        self._message_id = 1000
        self.app = Starlette(
            routes=[Route("/bot{token}/{method}", self.endpoint, methods=["GET", "POST"])]
        )

    # ------------------------------------------------------------ test controls

    def queue_update(self, update: dict[str, Any]) -> None:
        self.updates.append(update)
        self._new_update.set()

    def fail_next(self, method: str, retry_after: int = 1) -> None:
        """The next call of `method` gets a 429 Too Many Requests with `retry_after`."""
        self._failures[method] = retry_after

    def reject_next(self, method: str, description: str = "Bad Request: rejected") -> None:
        """The next call of `method` gets a 400 Bad Request (no retry helps)."""
        self._rejections[method] = description

    def stall_next(self, method: str, seconds: float) -> None:
        """The next call of `method` answers only after `seconds` (longer than a timeout)."""
        self._stalls[method] = seconds

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    # ------------------------------------------------------------ HTTP

    async def endpoint(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.path_params["method"]
        params, files = await _params(request)
        if method in self.delays:
            await asyncio.sleep(self.delays[method])
        if method in self._stalls:
            await asyncio.sleep(self._stalls.pop(method))
        content_type = request.headers.get("content-type", "").split(";")[0]
        peer = f"{request.client.host}:{request.client.port}" if request.client else ""
        call = Call(method, params, files=files, content_type=content_type, connection=peer)
        self.calls.append(call)
        if method in self._failures:
            retry_after = self._failures.pop(method)
            return JSONResponse(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": retry_after},
                },
                status_code=429,
            )
        if method in self._rejections:
            return _error(400, self._rejections.pop(method))
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        result = await handler(params)
        if isinstance(result, dict) and "message_id" in result:
            call.message_id = result["message_id"]
        return JSONResponse({"ok": True, "result": result})

    async def _getMe(self, params: dict[str, str]) -> Any:
        return BOT_USER

    async def _getUpdates(self, params: dict[str, str]) -> Any:
        offset = int(params.get("offset", 0) or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates:
            self._new_update.clear()
            timeout = min(float(params.get("timeout", 0) or 0), 2.0)
            with suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
        return list(self.updates)

    def _message(self, params: dict[str, str], message_id: int | None = None) -> dict[str, Any]:
        if message_id is None:
            self._message_id += 1
            message_id = self._message_id
        chat_id = int(params["chat_id"])
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": BOT_USER,
            "text": params.get("text", ""),
        }
        if params.get("reply_markup"):
            message["reply_markup"] = json.loads(params["reply_markup"])
        return message

    async def _sendMessage(self, params: dict[str, str]) -> Any:
        return self._message(params)

    async def _sendPhoto(self, params: dict[str, str]) -> Any:
        message = self._message(params)
        message["photo"] = [{"file_id": "photo-1", "file_unique_id": "p1", "width": 1, "height": 1}]
        return message

    async def _editMessageText(self, params: dict[str, str]) -> Any:
        return self._message(params, int(params["message_id"]))

    async def _editMessageReplyMarkup(self, params: dict[str, str]) -> Any:
        return self._message(params, int(params["message_id"]))

    async def _answerCallbackQuery(self, params: dict[str, str]) -> Any:
        return True

    async def _setWebhook(self, params: dict[str, str]) -> Any:
        self.webhook_url = params["url"]
        return True

    async def _deleteWebhook(self, params: dict[str, str]) -> Any:
        self.webhook_url = None
        return True

    async def _setMyCommands(self, params: dict[str, str]) -> Any:
        return True


def _error(code: int, description: str) -> JSONResponse:
    return JSONResponse(
        {"ok": False, "error_code": code, "description": description}, status_code=code
    )


async def _params(request: Request) -> tuple[dict[str, str], dict[str, bytes]]:
    """The call's parameters, and the files uploaded with it (multipart, as PTB sends them)."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        body = await request.json()
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}, {}
    if content_type.startswith("application/x-www-form-urlencoded"):  # what PTB sends
        return dict(parse_qsl((await request.body()).decode(), keep_blank_values=True)), {}
    if content_type.startswith("multipart/form-data"):
        params: dict[str, str] = {}
        files: dict[str, bytes] = {}
        async with request.form() as form:
            for name, value in form.multi_items():
                if isinstance(value, str):
                    params[name] = value
                else:
                    files[name] = await value.read()
        return params, files
    return dict(request.query_params), {}


@asynccontextmanager
async def serve(app: Any, port: int = 0) -> AsyncIterator[str]:
    """Run an ASGI app with uvicorn on a loopback port (a free one by default); yields its
    base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("server stopped during start-up")
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()
