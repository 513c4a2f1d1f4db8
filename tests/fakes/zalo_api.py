"""A fake Zalo Open API and OAuth server on loopback, for driving the Zalo channel over HTTP.

`POST /v3.0/oa/message/cs` accepts only the current access token (else error -216, as Zalo
answers an expired one) and records every call; `POST /v4/oa/access_token` swaps the refresh
token for a new pair exactly once (refresh tokens are single-use) and checks the app secret.
Tests can make the next send fail with any error code (-230: user outside the interaction
window) and expire the current access token.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

APP_ID = "1234567890123456789"
APP_SECRET = "test-app-secret"
OA_SECRET_KEY = "test-oa-secret-key"
ACCESS_TOKEN = "access-0"
REFRESH_TOKEN = "refresh-0"


@dataclass
class Sent:
    """One `message/cs` call: who it was for, with which token, and the message."""

    token: str
    user_id: str
    message: dict[str, Any]
    error: int

    @property
    def text(self) -> str:
        return str(self.message.get("text", ""))

    @property
    def buttons(self) -> list[dict[str, Any]]:
        attachment = self.message.get("attachment") or {}
        return list((attachment.get("payload") or {}).get("buttons", []))


class FakeZalo:
    """The server's state; `app` is its ASGI application."""

    def __init__(self) -> None:
        self.access_token = ACCESS_TOKEN
        self.refresh_token = REFRESH_TOKEN
        self.calls: list[Sent] = []
        self.refreshes: list[dict[str, str]] = []
        self.refresh_delay = 0.0
        self._errors: list[int] = []
        self._ids = itertools.count(1)
        self._generation = itertools.count(1)
        self.app = Starlette(
            routes=[
                Route("/v3.0/oa/message/cs", self.send, methods=["POST"]),
                Route("/v4/oa/access_token", self.token, methods=["POST"]),
            ]
        )

    # ------------------------------------------------------------ test controls

    def fail_next(self, code: int) -> None:
        """The next send with a valid token answers `error: code`."""
        self._errors.append(code)

    def expire(self) -> None:
        """The current access token stops working (as after its ~25 hours)."""
        self.access_token = f"expired-{next(self._generation)}"

    @property
    def delivered(self) -> list[Sent]:
        return [c for c in self.calls if c.error == 0]

    def to(self, user_id: str) -> list[Sent]:
        return [c for c in self.delivered if c.user_id == user_id]

    # ------------------------------------------------------------ HTTP

    async def send(self, request: Request) -> JSONResponse:
        body = await request.json()
        token = request.headers.get("access_token", "")
        user_id = str((body.get("recipient") or {}).get("user_id", ""))
        error = 0 if token == self.access_token else -216
        if error == 0 and self._errors:
            error = self._errors.pop(0)
        self.calls.append(Sent(token, user_id, body.get("message") or {}, error))
        if error == -216:
            return JSONResponse({"error": -216, "message": "Access token is invalid"})
        if error:
            return JSONResponse({"error": error, "message": "User has not interacted recently"})
        data = {"message_id": f"m{next(self._ids)}", "user_id": user_id}
        return JSONResponse({"error": 0, "message": "Success", "data": data})

    async def token(self, request: Request) -> JSONResponse:
        form = dict(await request.form())
        self.refreshes.append({k: str(v) for k, v in form.items()})
        await asyncio.sleep(self.refresh_delay)  # lets concurrent refreshes overlap
        if request.headers.get("secret_key") != APP_SECRET or form.get("app_id") != APP_ID:
            return JSONResponse({"error": -14002, "error_name": "Invalid app secret"})
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != (
            self.refresh_token
        ):
            return JSONResponse({"error": -14014, "error_name": "Invalid refresh token"})
        generation = next(self._generation)
        self.access_token = f"access-{generation}"
        self.refresh_token = f"refresh-{generation}"
        return JSONResponse(
            {
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_in": "90000",
            }
        )
