"""Conversations: interactions, feedback, per-user state and handoffs to staff."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Conversation,
    Feedback,
    Handoff,
    Interaction,
    utcnow,
)


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
) -> Interaction:
    interaction = Interaction(
        channel=channel,
        user_key=user_key,
        question=question,
        normalized=normalized,
        outcome=outcome,
        procedure_key=procedure_key,
        confidence=confidence,
        aspect=aspect,
    )
    session.add(interaction)
    await session.flush()
    return interaction


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


async def get_conversation(session: AsyncSession, *, user_key: str) -> Conversation | None:
    return await session.get(Conversation, user_key, populate_existing=True)


async def update_conversation(session: AsyncSession, *, user_key: str, **values: object) -> None:
    """Insert or update a user's conversation row in one statement (safe across replicas)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    values["updated_at"] = utcnow()
    statement = insert(Conversation).values(user_key=user_key, **values)
    await session.execute(
        statement.on_conflict_do_update(index_elements=[Conversation.user_key], set_=values)
    )


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
