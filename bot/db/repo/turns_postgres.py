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


# ---------------------------------------------------------------- a batch in one statement

Rows = Sequence[tuple[int, Mapping[str, Any]]]  # (the turn's position in the batch, its row)
Group = tuple[tuple[str, ...], tuple[str, ...]]  # conversation columns given, and set to the id


@cache
def _write_at_once(asked: tuple[str, ...], groups: tuple[Group, ...]) -> str:
    """The claims, interactions and conversation upserts as data-modifying CTEs of one
    statement. `asked`: the interactions' columns (none: no interaction); `groups`: per
    upsert, the columns given and those that take the turn's new interaction id. Parameters
    in `write_at_once`'s order; `_turn` is a turn's position in the batch."""
    number = iter(range(1, 10_000))

    def array(sql_type: str) -> str:
        return f"${next(number)}::{sql_type}[]"

    def rows(table: Table, columns: Sequence[str]) -> str:
        arrays = [array("BIGINT"), *(array(_sql_type(table, name)) for name in columns)]
        return f"unnest({', '.join(arrays)}) AS r(_turn, {', '.join(columns)})"

    keys = f"{array(_sql_type(_EVENTS, 'channel'))}, {array(_sql_type(_EVENTS, 'event_id'))}"
    now = f"${next(number)}::{_sql_type(_EVENTS, 'received_at')}"
    ctes = [
        f"t AS (SELECT * FROM unnest({keys}) WITH ORDINALITY AS t(channel, event_id, _turn))",
        f"claimed AS (INSERT INTO {_EVENTS.name} (channel, event_id, received_at)"
        f" SELECT channel, event_id, {now} FROM t WHERE event_id IS NOT NULL"
        " ORDER BY channel, event_id ON CONFLICT (channel, event_id) DO NOTHING"
        " RETURNING channel, event_id)",
        "ok AS (SELECT t._turn FROM t LEFT JOIN claimed AS c USING (channel, event_id)"
        " WHERE t.event_id IS NULL OR c.event_id IS NOT NULL)",
    ]
    if asked:
        names = ", ".join(asked)
        ctes += [
            f"asked AS (SELECT * FROM {rows(_INTERACTIONS, asked)}"
            " WHERE _turn IN (SELECT _turn FROM ok))",
            f"new AS (INSERT INTO {_INTERACTIONS.name} ({names})"
            f" SELECT {names} FROM asked ORDER BY _turn RETURNING id)",
            # ids in the rows' order (see `_insert_interactions`)
            "ids AS (SELECT a._turn, i.id"
            " FROM (SELECT _turn, row_number() OVER (ORDER BY _turn) AS k FROM asked) AS a"
            " JOIN (SELECT id, row_number() OVER (ORDER BY id) AS k FROM new) AS i USING (k))",
        ]
    else:
        ctes.append("ids AS (SELECT NULL::BIGINT AS _turn, NULL::BIGINT AS id WHERE false)")
    for i, (columns, refs) in enumerate(groups):
        given = ("user_key", *columns)
        names = ", ".join((*given, *refs))
        values = ", ".join((*(f"r.{name}" for name in given), *("ids.id" for _ in refs)))
        changed = ", ".join(f"{name} = EXCLUDED.{name}" for name in (*columns, *refs))
        ctes.append(
            f"g{i} AS (INSERT INTO {_CONVERSATIONS.name} ({names}) SELECT {values}"
            f" FROM {rows(_CONVERSATIONS, given)} LEFT JOIN ids USING (_turn)"
            " WHERE r._turn IN (SELECT _turn FROM ok)"
            f" ORDER BY r.user_key ON CONFLICT (user_key) DO UPDATE SET {changed})"
        )
    return f"WITH {', '.join(ctes)} SELECT ok._turn, ids.id FROM ok LEFT JOIN ids USING (_turn)"


async def write_at_once(
    driver: Connection,
    keys: Sequence[tuple[str, str | None]],
    asked: Rows,
    changed: Mapping[Group, Rows],
    now: datetime,
) -> dict[int, int | None]:
    """A batch whose turns are of different users, in one statement: one round trip where
    the steps above take five (BEGIN, claim, insert, upsert, COMMIT), each ~0.1 ms of CPU.
    `keys`: each turn's delivery, in order; `asked`: the interactions to record; `changed`:
    conversation rows per `Group`, without the id columns. Positions count from 1. Returns
    the claimed turns' positions, each with its new interaction id (None: none recorded)."""
    asked_columns = tuple(sorted(asked[0][1])) if asked else ()
    groups = tuple(sorted(changed))  # one statement text per set of groups, not per order
    args: list[Any] = [[key[0] for key in keys], [key[1] for key in keys], now]
    parts = [(asked_columns, asked)] if asked else []
    parts += [(("user_key", *group[0]), changed[group]) for group in groups]
    for columns, rows in parts:
        args += [[position for position, _ in rows], *_columns([r for _, r in rows], columns)]
    found = await driver.fetch(_write_at_once(asked_columns, groups), *args)
    return {row["_turn"]: row["id"] for row in found}
