"""The hot path: what every typed question reads and writes, for many questions at once.

A question's turn reads the user's conversation, then — once the bot knows its answer —
writes, all or nothing: the platform's delivery id claimed (once across replicas and
retries), the question recorded as an interaction, the conversation changed. Concurrent
turns share their round trips (`GroupCommit`): one SELECT reads every waiting turn's
conversation, and one transaction of three statements writes every waiting turn (up to 500
at a time; measured in bench/README.md, load benchmark). Rows are written in key order,
so two replicas' batches never wait on each other in a cycle.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, partial

from sqlalchemy import Connection, bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.batches import Batches
from bot.db.batching import GroupCommit
from bot.db.models import Conversation, Interaction, utcnow
from bot.db.repo.channels import claim_statement
from bot.db.repo.conversation import ConversationState, upsert_conversation


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
        # Core connections of the sessions' engine: the ORM session's bookkeeping would cost
        # more than the statements themselves, every batch
        self._batches = Batches(sessionmaker.kw["bind"])
        self._reads = GroupCommit(partial(self._batches.read, _read_conversations))
        self._writes = GroupCommit(partial(self._batches.write, _write_turns))

    async def conversation(self, user_key: str) -> ConversationState | None:
        return await self._reads(user_key)

    async def record(self, turn: TurnRecord) -> Recorded:
        return await self._writes(turn)

    def close(self) -> None:
        self._batches.close()


def _read_conversations(
    connection: Connection, user_keys: Sequence[str]
) -> list[ConversationState | None]:
    rows = connection.execute(_select_conversations(), {"keys": list(user_keys)})
    found = {row.user_key: ConversationState(**row._mapping) for row in rows}
    return [found.get(key) for key in user_keys]


def _write_turns(connection: Connection, turns: Sequence[TurnRecord]) -> list[Recorded]:
    claimed = _claim(connection, turns)
    recording = [t for t, ok in zip(turns, claimed, strict=True) if ok and t.interaction]
    ids = iter(_insert_interactions(connection, recording))
    new_ids = [
        next(ids) if ok and turn.interaction else None
        for turn, ok in zip(turns, claimed, strict=True)
    ]
    _update_conversations(connection, turns, claimed, new_ids)
    return [Recorded(*written) for written in zip(claimed, new_ids, strict=True)]


def _claim(connection: Connection, turns: Sequence[TurnRecord]) -> list[bool]:
    """Insert the delivery ids; a turn is claimed when its insert landed (the first of the
    batch for an id delivered twice) or it has no id."""
    keys = sorted({(t.channel, t.event_id) for t in turns if t.event_id is not None})
    won: set[tuple[str, str | None]] = set()
    if keys:
        params = [{"channel": channel, "event_id": event_id} for channel, event_id in keys]
        rows = connection.execute(claim_statement(connection.dialect.name), params)
        won = {(row.channel, row.event_id) for row in rows}
    claimed = []
    for turn in turns:
        key = (turn.channel, turn.event_id)
        claimed.append(turn.event_id is None or key in won)
        won.discard(key)
    return claimed


def _insert_interactions(connection: Connection, turns: Sequence[TurnRecord]) -> list[int]:
    if not turns:
        return []
    params = [
        {"channel": t.channel, "user_key": t.user_key, "created_at": utcnow(), **t.interaction}
        for t in turns
        if t.interaction
    ]
    result = connection.execute(_insert_interaction(), params)
    return list(result.scalars())


def _update_conversations(
    connection: Connection,
    turns: Sequence[TurnRecord],
    claimed: Sequence[bool],
    new_ids: Sequence[int | None],
) -> None:
    """One upsert per user, a user's turns applied in order; one statement per column set."""
    changes: dict[str, dict[str, object]] = defaultdict(dict)
    for turn, ok, new_id in zip(turns, claimed, new_ids, strict=True):
        if ok and turn.conversation:
            changes[turn.user_key] |= {
                name: new_id if value is THIS_INTERACTION else value
                for name, value in turn.conversation.items()
            }
    by_columns: dict[frozenset[str], list[dict[str, object]]] = defaultdict(list)
    now = utcnow()
    for user_key in sorted(changes):
        values = changes[user_key] | {"updated_at": now}
        by_columns[frozenset(values)].append({"user_key": user_key, **values})
    dialect = connection.dialect.name
    for columns, rows in by_columns.items():
        connection.execute(upsert_conversation(dialect, columns), rows)


@cache
def _select_conversations():  # type: ignore[no-untyped-def]
    table = Conversation.__table__
    return select(table).where(table.c.user_key.in_(bindparam("keys", expanding=True)))


@cache
def _insert_interaction():  # type: ignore[no-untyped-def]
    return insert(Interaction).returning(Interaction.id, sort_by_parameter_order=True)
