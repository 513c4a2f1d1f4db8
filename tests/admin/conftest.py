"""Admin fixtures: the serve app with the admin mounted, staff accounts, an HTTP client that
signs in through the real login form (CSRF token included)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.admin.forms import form_values
from bot.channels.web import build_web_app, components
from bot.config import Settings
from bot.db import repo
from bot.db.models import ProcedureRow
from bot.runtime import Runtime, start
from bot.staff import accounts

EDITOR, EDITOR_PASSWORD = "lan.nguyen", "mat-khau-bien-tap"
VIEWER, VIEWER_PASSWORD = "minh.tran", "mat-khau-chi-xem"
SECRET = "test-session-secret-0123456789abcdef"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(html: str) -> str:
    found = TOKEN.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


@pytest.fixture
def admin_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"session_secret": SecretStr(SECRET)})


async def add_staff(runtime: Runtime) -> None:
    async with runtime.sessionmaker.begin() as session:
        await accounts.add_staff(session, name=EDITOR, role="editor", password=EDITOR_PASSWORD)
        await accounts.add_staff(session, name=VIEWER, role="viewer", password=VIEWER_PASSWORD)


@pytest.fixture
async def admin_runtime(admin_settings: Settings) -> AsyncIterator[Runtime]:
    runtime = await start(admin_settings)
    await add_staff(runtime)
    yield runtime
    await runtime.close()


class Staff:
    """A browser-like HTTP client of the admin (cookies kept, redirects not followed)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.token = ""

    async def get(self, path: str) -> httpx.Response:
        response = await self.client.get(path)
        if found := TOKEN.search(response.text):
            self.token = found.group(1)
        return response

    async def post(self, path: str, data: dict, *, token: bool = True) -> httpx.Response:
        """A form post (a list value repeats the field), with the page's CSRF token."""
        if token:
            data = {**data, "csrf_token": self.token}
        return await self.client.post(path, data=data)

    async def login(self, name: str, password: str) -> httpx.Response:
        await self.get("/admin/login")
        return await self.post("/admin/login", {"username": name, "password": password})


@pytest.fixture
async def admin_app(admin_settings: Settings, admin_runtime: Runtime):  # type: ignore[no-untyped-def]
    return build_web_app(admin_runtime, components(admin_settings, admin_runtime))


@pytest.fixture
async def staff(admin_app) -> AsyncIterator[Staff]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=admin_app, client=("10.0.0.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Staff(client)


KEY = "2.002131"  # Khai báo thiết bị X-quang chẩn đoán trong y tế, in the test knowledge


async def row_of(runtime: Runtime, key: str = KEY) -> ProcedureRow:
    async with runtime.sessionmaker() as session:
        row = await session.scalar(select(ProcedureRow).where(ProcedureRow.key == key))
        assert row is not None
        return row


async def form_of(runtime: Runtime, key: str = KEY) -> tuple[int, dict]:
    """A procedure's row id and its edit form's values, as the admin page fills them."""
    row = await row_of(runtime, key)
    return row.id, form_values(repo.row_to_procedure(row))
