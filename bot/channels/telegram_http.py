"""PTB's HTTPX networking with JSON request bodies.

PTB sends every Bot API call as form fields; httpx percent-encodes an answer card of
Vietnamese HTML byte by byte in Python, ~0.17 ms of CPU per answer against ~0.05 ms for a JSON
body of the same parameters (bench/README.md, load benchmark). Telegram reads a JSON body's
string values exactly as form fields, so the parameters PTB prepared are sent unchanged, only
encoded differently.
Uploads (multipart) are left to PTB.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from telegram.request import HTTPXRequest

POOL_SIZE = 256  # what PTB's builder gives its own request object


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
    """`HTTPXRequest` whose calls without files carry a JSON body."""

    __slots__ = ()

    def __init__(self, connection_pool_size: int = POOL_SIZE, **kwargs: Any) -> None:
        super().__init__(connection_pool_size=connection_pool_size, **kwargs)

    def _build_client(self) -> httpx.AsyncClient:
        return _JsonBodies(**self._client_kwargs)
