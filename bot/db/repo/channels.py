"""Channel plumbing: inbound event dedupe, numbered choices, Zalo tokens."""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    InboundEvent,
    NumberedChoices,
    ZaloToken,
    utcnow,
)
from bot.db.repo.dialect import dialect_name, insert_for, run


@cache
def claim_statement(dialect: str):  # type: ignore[no-untyped-def]
    return (
        insert_for(dialect)(InboundEvent)
        .values(channel=bindparam("channel"), event_id=bindparam("event_id"))
        .on_conflict_do_nothing(index_elements=["channel", "event_id"])
        .returning(InboundEvent.channel, InboundEvent.event_id)  # only when it landed
    )


async def claim_inbound_event(session: AsyncSession, *, channel: str, event_id: str) -> bool:
    """Record a webhook event by its platform id; True for exactly one caller across replicas.

    Platforms retry deliveries (Zalo until it gets a 200 in time, Telegram likewise): the
    unique (channel, event_id) constraint lets only the first insert land.
    """
    statement = claim_statement(dialect_name(session))
    result = await run(session, statement, channel=channel, event_id=event_id)
    return result.scalar() is not None


async def set_numbered_choices(
    session: AsyncSession, *, channel: str, user_key: str, choices: list[tuple[str, str]]
) -> None:
    """Replace the user's numbered choices ([(label, action)]); an empty list forgets them."""
    if not choices:
        await session.execute(delete(NumberedChoices).where(NumberedChoices.user_key == user_key))
        return
    values = {"channel": channel, "choices": [list(c) for c in choices], "updated_at": utcnow()}
    insert = insert_for(dialect_name(session))
    statement = insert(NumberedChoices).values(user_key=user_key, **values)
    await session.execute(
        statement.on_conflict_do_update(index_elements=[NumberedChoices.user_key], set_=values)
    )


async def numbered_choice(
    session: AsyncSession, *, user_key: str, number: int
) -> tuple[str, str] | None:
    """(label, action) of choice `number` (1-based) last shown to the user, if any."""
    row = await session.get(NumberedChoices, user_key, populate_existing=True)
    if row is None or not 1 <= number <= len(row.choices):
        return None
    label, action = row.choices[number - 1]
    return label, action


async def get_zalo_token(
    session: AsyncSession, *, app_id: str, lock: bool = False
) -> ZaloToken | None:
    """The stored token pair; with `lock`, held until the transaction ends, so one replica at
    a time refreshes (SELECT … FOR UPDATE on PostgreSQL; on SQLite a no-op write takes the
    database's write lock first, which waiting replicas queue behind)."""
    if lock and dialect_name(session) == "sqlite":
        await session.execute(
            update(ZaloToken).where(ZaloToken.app_id == app_id).values(app_id=ZaloToken.app_id)
        )
    statement = select(ZaloToken).where(ZaloToken.app_id == app_id)
    if lock:
        statement = statement.with_for_update()
    return await session.scalar(statement.execution_options(populate_existing=True))


async def save_zalo_token(
    session: AsyncSession,
    *,
    app_id: str,
    access_token: str,
    refresh_token: str | None,
    seed: str | None = None,
    refreshed: bool = False,
) -> None:
    values: dict[str, object] = {
        "access_token": access_token,
        "refresh_token": refresh_token,
        "updated_at": utcnow(),
    }
    if seed is not None:
        values["seed"] = seed
    if refreshed:
        values["refreshed_at"] = utcnow()
    statement = insert_for(dialect_name(session))(ZaloToken).values(app_id=app_id, **values)
    await session.execute(
        statement.on_conflict_do_update(index_elements=[ZaloToken.app_id], set_=values)
    )
