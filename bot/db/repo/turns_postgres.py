"""The hot path's statements on PostgreSQL, run by asyncpg itself.

Through SQLAlchemy a statement costs about 0.2 ms of CPU more than asyncpg's own call
(greenlet hand-off, compiled-cache lookup, parameter and row processing), and a turn's read
and write take four statements (bench/README.md, eleventh session). Here each statement is
plain SQL built once from the tables' metadata, on a connection of the engine's own pool.
Rows go as one array per column (`unnest`), so a statement's text is the same whatever the
batch size: asyncpg prepares it once per connection.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from asyncpg import Connection
from sqlalchemy import Table
from sqlalchemy.dialects import postgresql

from bot.db.models import Conversation, InboundEvent, Interaction

_DIALECT = postgresql.dialect()
_CONVERSATIONS: Table = Conversation.__table__  # type: ignore[assignment]
_EVENTS: Table = InboundEvent.__table__  # type: ignore[assignment]
_INTERACTIONS: Table = Interaction.__table__  # type: ignore[assignment]


def _sql_type(table: Table, name: str) -> str:
    return table.c[name].type.compile(dialect=_DIALECT)


def _arrays(table: Table, columns: Sequence[str]) -> str:
    """`unnest($1::VARCHAR(64)[], $2::…[])`: one typed array parameter per column."""
    types = (_sql_type(table, name) for name in columns)
    return "unnest(" + ", ".join(f"${i}::{t}[]" for i, t in enumerate(types, 1)) + ")"


def _columns(rows: Sequence[Mapping[str, Any]], names: Sequence[str]) -> list[list[Any]]:
    return [[row[name] for row in rows] for name in names]


# ---------------------------------------------------------------- statements, built once

_SELECT_CONVERSATIONS = (
    f"SELECT {', '.join(c.name for c in _CONVERSATIONS.c)} FROM {_CONVERSATIONS.name}"
    f" WHERE user_key = ANY($1::{_sql_type(_CONVERSATIONS, 'user_key')}[])"
)

_CLAIM = (
    f"INSERT INTO {_EVENTS.name} (channel, event_id, received_at)"
    f" SELECT channel, event_id, $3::{_sql_type(_EVENTS, 'received_at')}"
    f" FROM {_arrays(_EVENTS, ['channel', 'event_id'])}"
    " AS t(channel, event_id)"
    " ON CONFLICT (channel, event_id) DO NOTHING RETURNING channel, event_id"
)


@cache
def _insert_interactions(columns: tuple[str, ...]) -> str:
    """In the rows' order, ids from the table's sequence: returned ids sorted are the rows'
    (what SQLAlchemy's own batched INSERT … RETURNING relies on too)."""
    names = ", ".join(columns)
    return (
        f"INSERT INTO {_INTERACTIONS.name} ({names})"
        f" SELECT {names} FROM {_arrays(_INTERACTIONS, columns)}"
        f" WITH ORDINALITY AS t({names}, row_number) ORDER BY row_number RETURNING id"
    )


@cache
def _upsert_conversations(columns: tuple[str, ...]) -> str:
    """`columns` starts with user_key; the others are set, whether the row exists or not."""
    names = ", ".join(columns)
    changed = ", ".join(f"{name} = EXCLUDED.{name}" for name in columns[1:])
    return (
        f"INSERT INTO {_CONVERSATIONS.name} ({names}) SELECT * FROM"
        f" {_arrays(_CONVERSATIONS, columns)} ON CONFLICT (user_key) DO UPDATE SET {changed}"
    )


# ---------------------------------------------------------------- running them


async def select_conversations(driver: Connection, user_keys: Sequence[str]) -> list[dict]:
    return [dict(row) for row in await driver.fetch(_SELECT_CONVERSATIONS, list(user_keys))]


async def claim(
    driver: Connection, keys: Sequence[tuple[str, str]], now: datetime
) -> set[tuple[str, str]]:
    """The (channel, event_id) keys whose insert landed."""
    if not keys:
        return set()
    channels, event_ids = (list(column) for column in zip(*keys, strict=True))
    return {tuple(row) for row in await driver.fetch(_CLAIM, channels, event_ids, now)}


async def insert_interactions(driver: Connection, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """The new ids, in the rows' order; `rows` share their keys."""
    if not rows:
        return []
    columns = tuple(sorted(rows[0]))
    found = await driver.fetch(_insert_interactions(columns), *_columns(rows, columns))
    return sorted(row["id"] for row in found)


async def upsert_conversations(
    driver: Connection, changed: frozenset[str], rows: Sequence[Mapping[str, Any]]
) -> None:
    """`rows`: user_key and the `changed` columns."""
    columns = ("user_key", *sorted(changed))
    await driver.execute(_upsert_conversations(columns), *_columns(rows, columns))
