"""The hot path: what every typed question reads and writes, in as few round trips as we can.

A question opens its turn (claim the platform's delivery id, read the user's conversation) and
records it (insert the interaction, update the conversation). On PostgreSQL each step is one
statement, a data-modifying CTE, so an answered question costs two statements instead of four
(measured in bench/README.md, load benchmark); SQLite has no such CTEs and runs the statements
one by one. Either way the caller's transaction holds both steps, so a failed turn leaves
neither a claim nor a record.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from sqlalchemy import Select, bindparam, exists, insert, literal_column, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Conversation, Interaction, utcnow
from bot.db.repo.channels import claim_inbound_event, claim_statement
from bot.db.repo.conversation import (
    ConversationState,
    get_conversation,
    record_interaction,
    update_conversation,
)
from bot.db.repo.dialect import dialect_name, run

INTERACTION_FIELDS = (  # besides user_key
    "channel",
    "question",
    "normalized",
    "outcome",
    "procedure_key",
    "confidence",
    "aspect",
)


async def open_turn(
    session: AsyncSession, *, channel: str, event_id: str | None, user_key: str
) -> tuple[bool, ConversationState | None]:
    """(claimed, conversation): claimed is False when another replica or an earlier attempt
    already took this delivery; without an `event_id` there is nothing to claim."""
    if event_id is None:
        return True, await get_conversation(session, user_key=user_key)
    if dialect_name(session) != "postgresql":
        if not await claim_inbound_event(session, channel=channel, event_id=event_id):
            return False, None
        return True, await get_conversation(session, user_key=user_key)
    result = await run(session, _open_turn(), channel=channel, event_id=event_id, user_key=user_key)
    row = result.one()._mapping
    if not row["claimed"]:
        return False, None
    conversation = {column.name: row[column.name] for column in Conversation.__table__.c}
    return True, ConversationState(**conversation) if conversation["user_key"] else None


async def record_question(
    session: AsyncSession,
    *,
    user_key: str,
    conversation: Mapping[str, object],
    show_answer: bool,
    **interaction: object,
) -> int:
    """Insert the interaction (`INTERACTION_FIELDS`) and its id; update the user's
    conversation with `conversation` values (none: left alone) and, when `show_answer`,
    remember the new interaction as the last answer shown."""
    if dialect_name(session) != "postgresql":
        interaction_id = await record_interaction(session, user_key=user_key, **interaction)  # type: ignore[arg-type]
        values = dict(conversation)
        if show_answer:
            values["interaction_id"] = interaction_id
        if values:
            await update_conversation(session, user_key=user_key, **values)
        return interaction_id
    columns = frozenset(conversation)
    statement = _record_question(columns, show_answer) if columns or show_answer else _insert()
    # bind names never equal a column name: Core would add such a column to both INSERTs
    params = {f"interaction_{name}": value for name, value in interaction.items()}
    params |= {f"conversation_{name}": value for name, value in conversation.items()}
    result = await run(session, statement, user_key=user_key, now=utcnow(), **params)
    return result.scalar_one()


@cache
def _open_turn() -> Select:
    """WITH claim AS (INSERT … ON CONFLICT DO NOTHING RETURNING id)
    SELECT EXISTS (SELECT FROM claim), conversations.* FROM (SELECT 1) LEFT JOIN conversations."""
    claim = claim_statement("postgresql").cte("claim")
    table = Conversation.__table__
    one = select(literal_column("1").label("one")).subquery("one")
    return select(exists(select(claim.c.id)).label("claimed"), *table.c).select_from(
        one.outerjoin(table, table.c.user_key == bindparam("user_key"))
    )


@cache
def _insert():  # type: ignore[no-untyped-def]
    values = {name: bindparam(f"interaction_{name}") for name in INTERACTION_FIELDS}
    values |= {"created_at": bindparam("now"), "user_key": bindparam("user_key")}
    return insert(Interaction).values(values).returning(Interaction.id)


@cache
def _record_question(columns: frozenset[str], show_answer: bool) -> Select:
    """WITH new AS (INSERT INTO interactions … RETURNING id),
    conversation AS (INSERT INTO conversations … ON CONFLICT DO UPDATE) SELECT id FROM new."""
    new = _insert().cte("new")
    values: dict[str, object] = {name: bindparam(f"conversation_{name}") for name in columns}
    values["updated_at"] = bindparam("now")
    if show_answer:
        values["interaction_id"] = select(new.c.id).scalar_subquery()
    upsert = postgresql_insert(Conversation).values(user_key=bindparam("user_key"), **values)
    upsert = upsert.on_conflict_do_update(
        index_elements=[Conversation.user_key],
        set_={name: upsert.excluded[name] for name in values},
    )
    return select(new.c.id).add_cte(upsert.cte("conversation"))
