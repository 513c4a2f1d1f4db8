"""PTB's HTTPX networking with JSON request bodies and a small connection pool.

PTB sends every Bot API call as form fields; httpx percent-encodes an answer card of
Vietnamese HTML byte by byte in Python, ~0.17 ms of CPU per answer against ~0.05 ms for a JSON
body of the same parameters (bench/README.md, load benchmark). Telegram reads a JSON body's
string values exactly as form fields, so the parameters PTB prepared are sent unchanged, only
encoded differently. Uploads (multipart) are left to PTB.

httpcore's pool looks at every pooled connection, for every request, more than once: its CPU
per request grows with the number of connections, and a burst after a quiet spell (idle
connections expire after 5 s) opens one per concurrent send. With PTB's default bound (256)
64 sends at once to a fake Bot API cost 2.1–8.3 ms of CPU each, with 16 connections 1.7–2.0
ms (bench/README.md, load benchmark). Sixteen connections carry more than Telegram's ~30
messages a second per bot even at 0.5 s a round trip; a send that finds them all busy waits
for one (`POOL_TIMEOUT`) instead of failing.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from telegram.request import HTTPXRequest

POOL_SIZE = 16
POOL_TIMEOUT = 10.0  # seconds a send may wait for a free connection (PTB's default: 1)


class _JsonBodies(httpx.AsyncClient):
    """Turns PTB's form parameters (`data`, a dict of strings) into a JSON body."""

    async def request(  # type: ignore[override]
        self, method: str, url: str, *, data: Any = None, files: Any = None, **kwargs: Any
    ) -> httpx.Response:
        if files or not isinstance(data, dict):
            return await super().request(method, url, data=data, files=files, **kwargs)
        headers = {**(kwargs.pop("headers", None) or {}), "Content-Type": "application/json"}
        body = json.dumps(data, ensure_ascii=False).encode()
        return await super().request(method, url, content=body, headers=headers, **kwargs)


class JsonBodyRequest(HTTPXRequest):
    """`HTTPXRequest` whose calls without files carry a JSON body, over at most `POOL_SIZE`
    connections."""

    __slots__ = ()

    def __init__(
        self,
        connection_pool_size: int = POOL_SIZE,
        pool_timeout: float = POOL_TIMEOUT,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            connection_pool_size=connection_pool_size, pool_timeout=pool_timeout, **kwargs
        )

    def _build_client(self) -> httpx.AsyncClient:
        return _JsonBodies(**self._client_kwargs)
