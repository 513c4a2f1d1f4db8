"""Zalo OA Open API client: send a consultation message, keep the rotating tokens fresh.

Zalo's access token expires after about a day; a refresh token buys a new pair and is then
spent (single use). Several replicas share one pair, so it lives in the database
(`zalo_tokens`) and a refresh holds that row's lock: a replica that waited behind another's
refresh finds a new access token there and uses it instead of spending the refresh token again
(which would fail and lock the bot out until someone re-authorises the OA).

Tokens are secrets: they travel in headers and form bodies only, and never reach a log line.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import repo

log = logging.getLogger(__name__)

EXPIRED = -216  # "access token is invalid": refresh once and retry
NO_TOKEN = -1  # our own code: nothing to call the API with
TRANSPORT = -2  # our own code: no usable HTTP answer


class ZaloError(RuntimeError):
    """The Open API refused a call; `code` is Zalo's error number (or one of ours, < 0)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"Zalo error {code}: {message}")
        self.code = code
        self.message = message


def fingerprint(*secrets: str | None) -> str:
    """A short hash telling whether the configured tokens changed (never the tokens)."""
    return hashlib.sha256("\n".join(s or "" for s in secrets).encode()).hexdigest()[:16]


class ZaloTokens:
    """The OA's access token, from the database (seeded from the settings on first use)."""

    def __init__(
        self,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        http: httpx.AsyncClient,
        oauth_base: str,
        app_id: str,
        app_secret: str | None,
        access_token: str | None,
        refresh_token: str | None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.http = http
        self.url = oauth_base.rstrip("/") + "/v4/oa/access_token"
        self.app_id = app_id
        self.app_secret = app_secret
        self.seed_access, self.seed_refresh = access_token, refresh_token
        # New tokens in the settings (the OA was re-authorised) replace the stored pair.
        configured = access_token or refresh_token
        self.seed = fingerprint(access_token, refresh_token) if configured else None
        self._access: str | None = None
        self._lock = asyncio.Lock()

    async def access(self) -> str:
        """The current access token ("" when only a refresh token is known)."""
        if self._access is not None:
            return self._access
        async with self.sessionmaker.begin() as session:
            row = await repo.get_zalo_token(session, app_id=self.app_id)
            if row is not None and (self.seed is None or row.seed == self.seed):
                self._access = row.access_token
            elif self.seed is not None:
                await repo.save_zalo_token(
                    session,
                    app_id=self.app_id,
                    access_token=self.seed_access or "",
                    refresh_token=self.seed_refresh,
                    seed=self.seed,
                )
                self._access = self.seed_access or ""
            else:
                raise ZaloError(NO_TOKEN, "set ZALO_ACCESS_TOKEN and ZALO_REFRESH_TOKEN")
        return self._access

    async def refresh(self, stale: str) -> str:
        """A new access token replacing `stale`: another replica's, or one we buy now."""
        async with self._lock:
            async with self.sessionmaker.begin() as session:
                row = await repo.get_zalo_token(session, app_id=self.app_id, lock=True)
                if row is not None and row.access_token and row.access_token != stale:
                    self._access = row.access_token  # refreshed meanwhile by someone else
                    return self._access
                refresh_token = row.refresh_token if row is not None else self.seed_refresh
                if not refresh_token:
                    raise ZaloError(NO_TOKEN, "access token expired, no refresh token is set")
                access, new_refresh = await self._exchange(refresh_token)
                await repo.save_zalo_token(
                    session,
                    app_id=self.app_id,
                    access_token=access,
                    refresh_token=new_refresh,
                    refreshed=True,
                )
            self._access = access
            log.info("Zalo access token refreshed")
            return access

    async def _exchange(self, refresh_token: str) -> tuple[str, str]:
        if not self.app_secret:
            raise ZaloError(NO_TOKEN, "ZALO_APP_SECRET is needed to refresh the access token")
        data = await _post(
            self.http,
            self.url,
            headers={"secret_key": self.app_secret},
            data={
                "refresh_token": refresh_token,
                "app_id": self.app_id,
                "grant_type": "refresh_token",
            },
        )
        access, new_refresh = data.get("access_token"), data.get("refresh_token")
        if not isinstance(access, str) or not isinstance(new_refresh, str):
            code = data.get("error")
            reason = data.get("error_name") or data.get("error_description") or "no token"
            raise ZaloError(code if isinstance(code, int) else TRANSPORT, f"refresh: {reason}")
        return access, new_refresh


class ZaloClient:
    """`POST /v3.0/oa/message/cs` with the current token; one refresh and retry on -216."""

    def __init__(self, *, http: httpx.AsyncClient, api_base: str, tokens: ZaloTokens) -> None:
        self.http = http
        self.url = api_base.rstrip("/") + "/v3.0/oa/message/cs"
        self.tokens = tokens

    async def send(self, user_id: str, message: dict[str, Any]) -> str | None:
        """Send one message; returns Zalo's message id. Raises ZaloError unless `error == 0`."""
        body = {"recipient": {"user_id": user_id}, "message": message}
        token = await self.tokens.access()
        if not token:
            token = await self.tokens.refresh(token)
        for attempt in (1, 2):
            data = await _post(self.http, self.url, headers={"access_token": token}, json=body)
            code = data.get("error")
            if code == 0:
                message_id = (data.get("data") or {}).get("message_id")
                return str(message_id) if message_id is not None else None
            if code == EXPIRED and attempt == 1:
                token = await self.tokens.refresh(token)
                continue
            raise ZaloError(code if isinstance(code, int) else TRANSPORT, str(data.get("message")))
        raise AssertionError("unreachable")


async def _post(http: httpx.AsyncClient, url: str, **kwargs: Any) -> dict[str, Any]:
    """A POST answered with a JSON object, or ZaloError (no URL or secret in the message)."""
    try:
        response = await http.post(url, **kwargs)
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ZaloError(TRANSPORT, type(exc).__name__) from None
    if not isinstance(data, dict):
        raise ZaloError(TRANSPORT, f"HTTP {response.status_code}: unexpected answer")
    return data
