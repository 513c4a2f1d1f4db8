"""Request-level protections sqladmin does not ship: CSRF tokens and the Secure cookie flag.

CSRF: a synchronizer token. A random token lives in the signed session; every form the admin
renders carries it (`csrf_token()` in the templates) and every unsafe request (POST, PUT, PATCH,
DELETE) must send it back, as the `csrf_token` form field or the `X-CSRF-Token` header, or it
gets 403 before reaching sqladmin. Chosen over starlette-csrf (double-submit cookie, header
only: plain HTML forms would need JavaScript) and starlette-wtf (wants to own the forms that
sqladmin builds); the check is a few lines on top of the session sqladmin already uses.

Secure cookie: Starlette's SessionMiddleware sets `Secure` only by a fixed flag; the session
cookie gets it here whenever the request came over https (directly or, with uvicorn's
`proxy_headers`, through a trusted proxy).
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_KEY = "csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
MAX_BODY = 2_000_000
REFUSED = (
    "Biểu mẫu đã hết hạn hoặc không hợp lệ (thiếu mã chống giả mạo). Hãy tải lại trang rồi thử lại."
)


def csrf_token(request: Request) -> str:
    """The session's token, created on first use (called from the templates)."""
    token = request.session.get(SESSION_KEY)
    if not token:
        token = request.session[SESSION_KEY] = secrets.token_urlsafe(32)
    return token


async def _form_token(scope: Scope, body: bytes) -> str:
    content_type = dict(scope["headers"]).get(b"content-type", b"").decode("latin-1")
    if content_type.startswith("application/x-www-form-urlencoded"):
        return (parse_qs(body.decode("utf-8", "replace")).get(FIELD) or [""])[0]
    if content_type.startswith("multipart/form-data"):

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        form = await Request(scope, replay).form()
        value = form.get(FIELD)
        await form.close()
        return value if isinstance(value, str) else ""
    return ""


class CSRFMiddleware:
    """Refuses unsafe requests without the session's token; must run inside the session."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE:
            await self.app(scope, receive, send)
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > MAX_BODY:
                await PlainTextResponse("Dữ liệu gửi lên quá lớn.", 413)(scope, receive, send)
                return
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        expected = scope.get("session", {}).get(SESSION_KEY, "")
        given = dict(scope["headers"]).get(HEADER.encode(), b"").decode("latin-1")
        given = given or await _form_token(scope, body)
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            await PlainTextResponse(REFUSED, 403)(scope, receive, send)
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


class SecureCookieOnHttps:
    """Adds `Secure` to the session cookie when the request itself was https."""

    def __init__(self, app: ASGIApp, cookie_name: str) -> None:
        self.app = app
        self.prefix = f"{cookie_name}=".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("scheme") != "https":
            await self.app(scope, receive, send)
            return

        async def send_secure(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                cookies = headers.getlist("set-cookie")
                if any(c.encode().startswith(self.prefix) for c in cookies):
                    del headers["set-cookie"]
                    for cookie in cookies:
                        secure = cookie.encode().startswith(self.prefix) and "secure" not in (
                            cookie.lower()
                        )
                        headers.append("set-cookie", cookie + ("; secure" if secure else ""))
            await send(message)

        await self.app(scope, receive, send_secure)
