"""The hot path's statements on SQLite, run on the driver's own connection.

In process, SQLite's work for a turn is small beside SQLAlchemy's per statement: a turn's
read and write cost ~0.5 ms of CPU through SQLAlchemy Core, ~0.13 ms on sqlite3 itself
(bench/README.md, eleventh session). The statements here run on the DB-API connection of a
SQLAlchemy connection, inside its transaction; values pass through the columns' own type
processors, so they are stored and read back exactly as SQLAlchemy does (datetimes as its
text format). Rows go one statement each: in process that costs microseconds, and every
interaction gets its own id back with no question of order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import sqlite
from sqlalchemy.types import TypeEngine

from bot.db.models import Conversation, InboundEvent, Interaction

DBAPIConnection = Any  # sqlite3.Connection, or SQLAlchemy's adapter of aiosqlite's
Processor = Callable[[Any], Any] | None

_DIALECT = sqlite.dialect()
_CONVERSATIONS: Table = Conversation.__table__  # type: ignore[assignment]
_EVENTS: Table = InboundEvent.__table__  # type: ignore[assignment]
_INTERACTIONS: Table = Interaction.__table__  # type: ignore[assignment]


def _sqlite_type(table: Table, name: str) -> TypeEngine[Any]:
    """The column's type as SQLAlchemy uses it on SQLite (DateTime → its text format)."""
    return _DIALECT.type_descriptor(table.c[name].type)


@cache
def _to_database(table: Table, columns: tuple[str, ...]) -> tuple[Processor, ...]:
    return tuple(_sqlite_type(table, name).bind_processor(_DIALECT) for name in columns)


def _values(table: Table, columns: tuple[str, ...], row: Mapping[str, Any]) -> tuple[Any, ...]:
    processors = _to_database(table, columns)
    return tuple(
        (convert(row[name]) if convert else row[name])
        for name, convert in zip(columns, processors, strict=True)
    )


def _placeholders(count: int) -> str:
    return ", ".join("?" * count)


# ---------------------------------------------------------------- statements, built once

_READ = tuple(c.name for c in _CONVERSATIONS.c)
_FROM_DATABASE: tuple[Processor, ...] = tuple(
    _sqlite_type(_CONVERSATIONS, name).result_processor(_DIALECT, None) for name in _READ
)
_CLAIM_COLUMNS = ("channel", "event_id", "received_at")
_CLAIM = (
    f"INSERT INTO {_EVENTS.name} ({', '.join(_CLAIM_COLUMNS)}) VALUES ({_placeholders(3)})"
    " ON CONFLICT (channel, event_id) DO NOTHING RETURNING channel"
)


@cache
def _insert_interaction(columns: tuple[str, ...]) -> str:
    return (
        f"INSERT INTO {_INTERACTIONS.name} ({', '.join(columns)})"
        f" VALUES ({_placeholders(len(columns))}) RETURNING id"
    )


@cache
def _upsert_conversation(columns: tuple[str, ...]) -> str:
    """`columns` starts with user_key; the others are set, whether the row exists or not."""
    changed = ", ".join(f"{name} = excluded.{name}" for name in columns[1:])
    return (
        f"INSERT INTO {_CONVERSATIONS.name} ({', '.join(columns)})"
        f" VALUES ({_placeholders(len(columns))})"
        f" ON CONFLICT (user_key) DO UPDATE SET {changed}"
    )


# ---------------------------------------------------------------- running them


def select_conversations(dbapi: DBAPIConnection, user_keys: Sequence[str]) -> list[dict]:
    statement = (
        f"SELECT {', '.join(_READ)} FROM {_CONVERSATIONS.name}"
        f" WHERE user_key IN ({_placeholders(len(user_keys))})"
    )
    cursor = dbapi.cursor()
    try:
        rows = cursor.execute(statement, tuple(user_keys)).fetchall()
    finally:
        cursor.close()
    return [
        {
            name: (convert(value) if convert else value)
            for name, convert, value in zip(_READ, _FROM_DATABASE, row, strict=True)
        }
        for row in rows
    ]


def claim(
    dbapi: DBAPIConnection, keys: Sequence[tuple[str, str]], now: datetime
) -> set[tuple[str, str]]:
    """The (channel, event_id) keys whose insert landed."""
    cursor, won = dbapi.cursor(), set()
    try:
        for channel, event_id in keys:
            row = {"channel": channel, "event_id": event_id, "received_at": now}
            if cursor.execute(_CLAIM, _values(_EVENTS, _CLAIM_COLUMNS, row)).fetchall():
                won.add((channel, event_id))
    finally:
        cursor.close()
    return won


def insert_interactions(dbapi: DBAPIConnection, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """The new ids, in the rows' order."""
    cursor, ids = dbapi.cursor(), []
    try:
        for row in rows:
            columns = tuple(sorted(row))
            values = _values(_INTERACTIONS, columns, row)
            ids.append(cursor.execute(_insert_interaction(columns), values).fetchone()[0])
    finally:
        cursor.close()
    return ids


def upsert_conversations(
    dbapi: DBAPIConnection, changed: frozenset[str], rows: Sequence[Mapping[str, Any]]
) -> None:
    """`rows`: user_key and the `changed` columns."""
    columns = ("user_key", *sorted(changed))
    cursor = dbapi.cursor()
    try:
        cursor.executemany(
            _upsert_conversation(columns), [_values(_CONVERSATIONS, columns, r) for r in rows]
        )
    finally:
        cursor.close()
