"""Conversations: interactions, feedback, per-user state and handoffs to staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Conversation,
    Feedback,
    Handoff,
    Interaction,
    utcnow,
)
from bot.db.repo.dialect import dialect_name, insert_for, run

_INSERT_INTERACTION = insert(Interaction).returning(Interaction.id)
_SELECT_CONVERSATION = select(Conversation.__table__).where(
    Conversation.user_key == bindparam("user_key")
)


@dataclass(frozen=True)
class ConversationState:
    """A user's conversation row, read without the ORM (it is read on every message)."""

    user_key: str
    procedure_key: str | None
    interaction_id: int | None
    context_at: datetime | None
    pending: str | None
    pending_interaction_id: int | None
    pending_until: datetime | None
    updated_at: datetime


async def record_interaction(
    session: AsyncSession,
    *,
    channel: str,
    user_key: str,
    question: str,
    normalized: str,
    outcome: str,
    procedure_key: str | None = None,
    confidence: float | None = None,
    aspect: str | None = None,
) -> int:
    """Insert one interaction; its id (survey and choice buttons carry it)."""
    result = await run(
        session,
        _INSERT_INTERACTION,
        channel=channel,
        user_key=user_key,
        question=question,
        normalized=normalized,
        outcome=outcome,
        procedure_key=procedure_key,
        confidence=confidence,
        aspect=aspect,
    )
    return result.scalar_one()


async def save_feedback(
    session: AsyncSession,
    *,
    interaction_id: int,
    user_key: str,
    score: int | None = None,
    enough_info: bool | None = None,
    comment: str | None = None,
) -> Feedback | None:
    """Create or update the one feedback row of an interaction; None if it does not exist."""
    if await session.get(Interaction, interaction_id) is None:
        return None
    feedback = await session.scalar(
        select(Feedback).where(Feedback.interaction_id == interaction_id)
    )
    if feedback is None:
        if score is None:
            return None
        feedback = Feedback(interaction_id=interaction_id, user_key=user_key, score=score)
        session.add(feedback)
    elif score is not None:
        feedback.score = score
    if enough_info is not None:
        feedback.enough_info = enough_info
    if comment is not None:
        feedback.comment = comment
    await session.flush()
    return feedback


async def get_conversation(session: AsyncSession, *, user_key: str) -> ConversationState | None:
    row = (await run(session, _SELECT_CONVERSATION, user_key=user_key)).first()
    return ConversationState(**row._mapping) if row else None


@cache
def upsert_conversation(dialect: str, columns: frozenset[str]):  # type: ignore[no-untyped-def]
    """INSERT … ON CONFLICT DO UPDATE of `columns`, built once per dialect and column set."""
    statement = insert_for(dialect)(Conversation).values(
        user_key=bindparam("user_key"), **{name: bindparam(name) for name in columns}
    )
    return statement.on_conflict_do_update(
        index_elements=[Conversation.user_key],
        set_={name: statement.excluded[name] for name in columns},
    )


async def update_conversation(session: AsyncSession, *, user_key: str, **values: object) -> None:
    """Insert or update a user's conversation row in one statement (safe across replicas)."""
    values["updated_at"] = utcnow()
    statement = upsert_conversation(dialect_name(session), frozenset(values))
    await run(session, statement, user_key=user_key, **values)


async def create_handoff(
    session: AsyncSession,
    *,
    interaction_id: int | None,
    channel: str,
    user_key: str,
    chat_id: str,
    procedure_key: str | None,
    question: str,
) -> Handoff:
    handoff = Handoff(
        interaction_id=interaction_id,
        channel=channel,
        user_key=user_key,
        chat_id=chat_id,
        procedure_key=procedure_key,
        question=question,
    )
    session.add(handoff)
    await session.flush()
    return handoff


async def link_handoff(session: AsyncSession, *, handoff_id: int, staff_message_id: str) -> None:
    """Remember which staff-chat message carries the handoff, for the staff reply."""
    await session.execute(
        update(Handoff).where(Handoff.id == handoff_id).values(staff_message_id=staff_message_id)
    )


async def find_handoff(session: AsyncSession, *, staff_message_id: str) -> Handoff | None:
    return await session.scalar(
        select(Handoff)
        .where(Handoff.staff_message_id == staff_message_id)
        .order_by(Handoff.id.desc())
        .limit(1)
    )
