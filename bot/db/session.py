"""Async engine and session factory, and Alembic upgrades run from inside the app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached; the message is one line for the operator."""


def make_engine(url: str) -> AsyncEngine:
    """Engine for `url`; a SQLite file's folder is created, and foreign keys are enforced;
    a PostgreSQL connection the server closed is replaced at checkout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url)
        event.listen(engine.sync_engine, "connect", sqlite_pragmas)
        return engine
    engine = create_async_engine(url)

    @event.listens_for(engine.sync_engine, "checkout")
    def _closed_by_server(_dbapi: object, record: ConnectionPoolEntry, _proxy: object) -> None:
        # The socket's end, noticed by the event loop, without the three round trips of
        # SQLAlchemy's pre-ping (BEGIN, ";", ROLLBACK) on every checkout: the pool replaces
        # a connection a restarted or failed-over server closed.
        if record.driver_connection is None or record.driver_connection.is_closed():
            raise DisconnectionError("closed by the database server")

    return engine


def sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    """Foreign keys enforced; WAL, so readers never wait for the writer; a writer waits up
    to 5 s for another (a second replica, a staff edit)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


async def upgrade(engine: AsyncEngine) -> None:
    """Migrate the database to the newest revision (idempotent)."""

    def _run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")

    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run)
    except (OSError, ConnectionError) as exc:
        raise DatabaseUnavailable(describe_unreachable(engine, exc)) from None


def describe_unreachable(engine: AsyncEngine, exc: BaseException) -> str:
    """One line naming the database (without its password) and the reason."""
    safe_url = engine.url.render_as_string(hide_password=True)
    return f"Cannot reach the database {safe_url}: {exc}"
