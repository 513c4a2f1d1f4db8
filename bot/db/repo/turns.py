"""The hot path: what every typed question reads and writes, for many questions at once.

A question's turn reads the user's conversation, then — once the bot knows its answer —
writes, all or nothing: the platform's delivery id claimed (once across replicas and
retries), the question recorded as an interaction, the conversation changed. Concurrent
turns share their round trips (`GroupCommit`): one SELECT reads every waiting turn's
conversation, and one transaction of three statements writes every waiting turn (up to 500
at a time; measured in bench/README.md, load benchmark). Rows are written in key order,
so two replicas' batches never wait on each other in a cycle.

What a batch writes is worked out here, once for both databases; its statements are plain
SQL on the driver's own connection (`turns_sqlite`, `turns_postgres`): through SQLAlchemy
they cost several times the CPU (bench/README.md, eleventh session).
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from asyncpg import Connection as AsyncpgConnection
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db.batches import Batches
from bot.db.batching import GroupCommit
from bot.db.models import utcnow
from bot.db.repo import turns_postgres as postgres
from bot.db.repo import turns_sqlite as sqlite
from bot.db.repo.conversation import ConversationState

Arg = TypeVar("Arg")
Result = TypeVar("Result")


class Ref(enum.Enum):
    """A value known only when the turn is written."""

    INTERACTION = "the id of the interaction this turn records"


THIS_INTERACTION = Ref.INTERACTION


@dataclass(frozen=True)
class TurnRecord:
    """What one turn writes. `interaction`: channel and user aside, the interaction's columns
    (None: nothing to record, e.g. a hint); `conversation`: columns to change, where
    `THIS_INTERACTION` stands for the new interaction's id."""

    channel: str
    event_id: str | None
    user_key: str
    interaction: Mapping[str, object] | None = None
    conversation: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Recorded:
    claimed: bool  # False: another replica or an earlier attempt took this delivery
    interaction_id: int | None = None


class Turns:
    """Conversations read and turns written in batches (see the module's docstring)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        engine: AsyncEngine = sessionmaker.kw["bind"]
        self._batches: Batches | None = None
        if engine.dialect.name == "postgresql":
            self._reads = GroupCommit(partial(_on_asyncpg, engine, _read_postgres))
            self._writes = GroupCommit(partial(_on_asyncpg, engine, _write_postgres))
        else:
            # SQLite: a batch in one hand-off to a thread (`Batches`)
            self._batches = Batches(engine)
            self._reads = GroupCommit(partial(self._batches.read, _read_conversations))
            self._writes = GroupCommit(partial(self._batches.write, _write_turns))

    async def conversation(self, user_key: str) -> ConversationState | None:
        return await self._reads(user_key)

    async def record(self, turn: TurnRecord) -> Recorded:
        return await self._writes(turn)

    def close(self) -> None:
        if self._batches is not None:
            self._batches.close()


# ---------------------------------------------------------------- what a batch writes


def _claim_keys(turns: Sequence[TurnRecord]) -> list[tuple[str, str]]:
    """The delivery ids to insert, in key order."""
    return sorted({(t.channel, t.event_id) for t in turns if t.event_id is not None})


def _claimed(turns: Sequence[TurnRecord], won: set[tuple[str, str]]) -> list[bool]:
    """A turn is claimed when its insert landed (the first of the batch for an id delivered
    twice) or it has no id."""
    won, claimed = set(won), []
    for turn in turns:
        key = (turn.channel, turn.event_id)
        claimed.append(turn.event_id is None or key in won)
        won.discard(key)  # type: ignore[arg-type]
    return claimed


def _interactions(
    turns: Sequence[TurnRecord], claimed: Sequence[bool], now: datetime
) -> list[dict[str, object]]:
    return [
        {"channel": t.channel, "user_key": t.user_key, "created_at": now, **t.interaction}
        for t, ok in zip(turns, claimed, strict=True)
        if ok and t.interaction
    ]


def _new_ids(
    turns: Sequence[TurnRecord], claimed: Sequence[bool], ids: Sequence[int]
) -> list[int | None]:
    """Each turn's new interaction id, if it recorded one."""
    given = iter(ids)
    return [
        next(given) if ok and turn.interaction else None
        for turn, ok in zip(turns, claimed, strict=True)
    ]


def _conversations(
    turns: Sequence[TurnRecord],
    claimed: Sequence[bool],
    new_ids: Sequence[int | None],
    now: datetime,
) -> dict[frozenset[str], list[dict[str, object]]]:
    """One row per user, a user's turns applied in order, grouped by the columns they set
    besides user_key (one statement per group)."""
    changes: dict[str, dict[str, object]] = defaultdict(dict)
    for turn, ok, new_id in zip(turns, claimed, new_ids, strict=True):
        if ok and turn.conversation:
            changes[turn.user_key] |= {
                name: new_id if value is THIS_INTERACTION else value
                for name, value in turn.conversation.items()
            }
    by_columns: dict[frozenset[str], list[dict[str, object]]] = defaultdict(list)
    for user_key in sorted(changes):
        values = changes[user_key] | {"updated_at": now}
        by_columns[frozenset(values)].append({"user_key": user_key, **values})
    return by_columns


def _recorded(claimed: Sequence[bool], new_ids: Sequence[int | None]) -> list[Recorded]:
    return [Recorded(*written) for written in zip(claimed, new_ids, strict=True)]


def _in_order(
    user_keys: Sequence[str], rows: Iterable[Mapping[str, Any]]
) -> list[ConversationState | None]:
    found = {row["user_key"]: ConversationState(**row) for row in rows}
    return [found.get(key) for key in user_keys]


# ---------------------------------------------------------------- sqlite3 (SQLite)


def _read_conversations(
    connection: Connection, user_keys: Sequence[str]
) -> list[ConversationState | None]:
    dbapi = connection.connection.dbapi_connection
    return _in_order(user_keys, sqlite.select_conversations(dbapi, user_keys))


def _write_turns(connection: Connection, turns: Sequence[TurnRecord]) -> list[Recorded]:
    """In the transaction `connection` is in (`Batches.write`)."""
    now, dbapi = utcnow(), connection.connection.dbapi_connection
    claimed = _claimed(turns, sqlite.claim(dbapi, _claim_keys(turns), now))
    ids = sqlite.insert_interactions(dbapi, _interactions(turns, claimed, now))
    new_ids = _new_ids(turns, claimed, ids)
    for columns, rows in _conversations(turns, claimed, new_ids, now).items():
        sqlite.upsert_conversations(dbapi, columns, rows)
    return _recorded(claimed, new_ids)


# ---------------------------------------------------------------- asyncpg (PostgreSQL)


async def _on_asyncpg(
    engine: AsyncEngine, work: Callable[[AsyncpgConnection, Arg], Awaitable[Result]], arg: Arg
) -> Result:
    """`work` on the asyncpg connection of one of the engine's pooled connections."""
    async with engine.connect() as connection:
        pooled = await connection.get_raw_connection()
        return await work(pooled.driver_connection, arg)


async def _read_postgres(
    driver: AsyncpgConnection, user_keys: Sequence[str]
) -> list[ConversationState | None]:
    return _in_order(user_keys, await postgres.select_conversations(driver, user_keys))


async def _write_postgres(driver: AsyncpgConnection, turns: Sequence[TurnRecord]) -> list[Recorded]:
    now = utcnow()
    async with driver.transaction():
        claimed = _claimed(turns, await postgres.claim(driver, _claim_keys(turns), now))
        ids = await postgres.insert_interactions(driver, _interactions(turns, claimed, now))
        new_ids = _new_ids(turns, claimed, ids)
        for columns, rows in _conversations(turns, claimed, new_ids, now).items():
            await postgres.upsert_conversations(driver, columns, rows)
    return _recorded(claimed, new_ids)
