"""INSERT … ON CONFLICT for the session's dialect, and hot-path statements run cheaply.

Statements answered on every message are built once per dialect with bound parameters and
run on the session's connection: building an ORM statement per call and running it through
the Session costs several times the CPU of the database round trip itself (measured in
bench/README.md, load benchmark).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Executable
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


def dialect_name(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def insert_for(dialect: str):  # type: ignore[no-untyped-def]
    """`insert` with `on_conflict_do_*` for PostgreSQL or SQLite."""
    return postgresql_insert if dialect == "postgresql" else sqlite_insert


async def run(session: AsyncSession, statement: Executable, **params: Any) -> CursorResult[Any]:
    """Run a prebuilt Core statement on the session's connection, inside its transaction."""
    connection = await session.connection()
    return await connection.execute(statement, params)
