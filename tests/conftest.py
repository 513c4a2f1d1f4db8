"""Shared fixtures: the test knowledge base, and databases (SQLite always, PostgreSQL when set)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.config import Settings
from bot.db.session import make_engine
from bot.runtime import Runtime, start

FIXTURES = Path(__file__).parent / "fixtures"
TEST_KNOWLEDGE = FIXTURES / "knowledge"
REAL_KNOWLEDGE = Path(__file__).parent.parent / "knowledge"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    """A private copy of the test knowledge base, free to edit."""
    target = tmp_path / "knowledge"
    shutil.copytree(TEST_KNOWLEDGE, target)
    return target


async def reset_postgres(url: str) -> None:
    engine = make_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(
                not POSTGRES_URL, reason="TEST_DATABASE_URL not set: PostgreSQL tests skipped"
            ),
        ),
    ]
)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a fresh SQLite file, or the PostgreSQL test database wiped clean."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/test.sqlite3"
    assert POSTGRES_URL
    await reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture
def settings(database_url: str, knowledge_dir: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        knowledge_dir=knowledge_dir,
        pseudonym_key="test-pseudonym-key",
    )


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """A started bot core on a migrated, seeded database."""
    rt = await start(settings)
    yield rt
    await rt.close()
