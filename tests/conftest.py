"""Shared fixtures: the test knowledge base, and databases (SQLite always, PostgreSQL when set)."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

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


def _admin(url: str, statement: str) -> None:
    """Run one statement outside any transaction, in a thread (a loop may be running)."""

    async def run() -> None:
        engine = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            await connection.execute(text(statement))
        await engine.dispose()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, run()).result()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private database for this test run, so parallel runs never share tables."""
    assert POSTGRES_URL
    name = f"tthc_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    _admin(POSTGRES_URL, f"CREATE DATABASE {name}")
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    _admin(POSTGRES_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


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
    """An empty database: a fresh SQLite file, or this run's PostgreSQL database wiped clean."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/test.sqlite3"
    url = request.getfixturevalue("postgres_url")
    await reset_postgres(url)
    return url


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
