"""Operations: singleton job runs across replicas, and the privacy purge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Feedback,
    Handoff,
    InboundEvent,
    Interaction,
    JobRun,
    NumberedChoices,
    utcnow,
)
from bot.db.repo.dialect import dialect_name, insert_for

# Channel bookkeeping younger than this survives any purge: Telegram keeps an undelivered
# update (and so may retry it) for up to 24 hours, Zalo retries within seconds, and a citizen
# may still type the number of a choice shown earlier today.
CHANNEL_STATE_KEPT = timedelta(days=1)


async def claim_job_run(session: AsyncSession, *, job: str, period_key: str) -> bool:
    """Claim `job` for `period_key`; True for exactly one caller across all replicas.

    The unique (job, period_key) constraint decides: the insert that lands wins, the others
    do nothing (ON CONFLICT DO NOTHING), so no replica sees an error.
    """
    insert = insert_for(dialect_name(session))
    statement = (
        insert(JobRun)
        .values(job=job, period_key=period_key, claimed_at=utcnow())
        .on_conflict_do_nothing(index_elements=["job", "period_key"])
        .returning(JobRun.id)
    )
    return (await session.scalar(statement)) is not None


@dataclass(frozen=True)
class PurgeResult:
    questions: int
    comments: int
    handoffs: int
    events: int  # webhook dedupe claims deleted
    choices: int  # numbered choice lists deleted
    channel_before: datetime  # the cut-off used for those two


async def purge_texts(
    session: AsyncSession, *, before: datetime, now: datetime | None = None
) -> PurgeResult:
    """Forget question texts and survey comments of interactions older than `before`,
    and the forwarded text and raw chat id of handoffs older than that (a staff reply can no
    longer be relayed to them).

    Only free text and chat ids go; outcomes, procedures, channels, times and scores stay, so
    every count the reports use is unchanged.

    Webhook dedupe claims and numbered choice lists older than `before` are deleted too (no
    report reads them), but never those younger than CHANNEL_STATE_KEPT before `now`: a
    retried update is still answered once, and a live choice still works.
    """
    old = select(Interaction.id).where(Interaction.created_at < before)
    questions = await session.execute(
        update(Interaction)
        .where(
            Interaction.created_at < before,
            (Interaction.question.is_not(None)) | (Interaction.normalized.is_not(None)),
        )
        .values(question=None, normalized=None)
    )
    comments = await session.execute(
        update(Feedback)
        .where(Feedback.interaction_id.in_(old), Feedback.comment.is_not(None))
        .values(comment=None)
    )
    handoffs = await session.execute(
        update(Handoff)
        .where(Handoff.created_at < before, (Handoff.question != "") | (Handoff.chat_id != ""))
        .values(question="", chat_id="")  # both NOT NULL
    )
    channel_before = min(before, (now or utcnow()) - CHANNEL_STATE_KEPT)
    events = await session.execute(
        delete(InboundEvent).where(InboundEvent.received_at < channel_before)
    )
    choices = await session.execute(
        delete(NumberedChoices).where(NumberedChoices.updated_at < channel_before)
    )
    return PurgeResult(
        questions.rowcount,
        comments.rowcount,
        handoffs.rowcount,
        events.rowcount,
        choices.rowcount,
        channel_before,
    )
