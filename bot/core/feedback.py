"""The survey and handoff buttons: `fb:<id>:<1-5>`, `fi:<id>:y|n`, `skip:<id>`, `ask:<id>`.

A first rating creates the feedback row and asks "was it enough?"; a second tap only updates
the score (no nagging). A rating at or below `survey.LOW` offers a staff member and alerts the
staff chat once. "Hỏi cán bộ" makes the next text a question for staff (see handoff.py), a
low rating the next text a comment: `pending_text` handles that text.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.core import handoff, survey
from bot.core.cards import contact_text
from bot.core.messages import Incoming, Outgoing, Reply, Turn
from bot.core.privacy import mask_personal_data
from bot.db import repo
from bot.db.models import Feedback, Interaction
from bot.db.repo.conversation import ConversationState

if TYPE_CHECKING:
    from bot.core.assistant import Assistant

EXPIRED = "Cuộc khảo sát này đã kết thúc. Cảm ơn bạn!"


async def pending_text(
    assistant: Assistant,
    incoming: Incoming,
    conv: ConversationState,
    user_key: str,
    text: str,
    now: datetime,
) -> Turn:
    """The text the last turn asked for (`conv.pending`): a question for staff, or a
    comment on an answer; the delivery claimed in the same transaction."""
    async with assistant.sessionmaker.begin() as session:
        if not await assistant.claim(session, incoming):
            return Turn(already_handled=True)
        await assistant.clear_pending(session, user_key)
        if conv.pending == "handoff":
            interaction = await assistant.own_interaction(
                session, conv.pending_interaction_id, user_key
            )
            return await handoff.forward(
                session,
                incoming=incoming,
                user_key=user_key,
                text=text,
                interaction=interaction,
                procedure=assistant.discussed(conv, now),
            )
        if conv.pending_interaction_id is not None:
            await repo.save_feedback(
                session,
                interaction_id=conv.pending_interaction_id,
                user_key=user_key,
                comment=mask_personal_data(text),
            )
        return Turn((Reply(survey.THANKS_COMMENT, kind="comment_saved"),))


async def handle_survey_action(
    assistant: Assistant, incoming: Incoming, kind: str, interaction_id: int, value: str
) -> Turn | None:
    """The turn for a survey/handoff button, or None when `kind` is not one of them."""
    if kind not in ("fb", "fi", "skip", "ask"):
        return None
    user_key = assistant.user_key(incoming)
    async with assistant.sessionmaker() as session:
        interaction = await session.get(Interaction, interaction_id) if interaction_id > 0 else None
    if interaction is not None and interaction.user_key != user_key:
        interaction = None  # someone else's interaction: a forged button
    if kind == "fb":
        return await _rate(assistant, user_key, interaction, survey.parse_score(value))
    if kind == "fi":
        return await _enough(assistant, user_key, interaction, value)
    if kind == "skip":
        async with assistant.sessionmaker.begin() as session:
            await assistant.clear_pending(session, user_key)
        # The question stays readable without its buttons; the thanks is a new message.
        return Turn((Reply("", kind="close", edit=True), Reply(survey.THANKS, kind="skipped")))
    return await _ask(assistant, user_key, interaction)


async def _rate(
    assistant: Assistant, user_key: str, interaction: Interaction | None, score: int | None
) -> Turn:
    if interaction is None or score is None:
        return Turn((Reply(EXPIRED, kind="stale"),))
    row, before = await save_feedback(
        assistant, interaction_id=interaction.id, user_key=user_key, score=score
    )
    if row is None:
        return Turn((Reply(EXPIRED, kind="stale"),))
    replies = [survey.rating_recorded(interaction.id, score)]
    outgoing: list[Outgoing] = []
    if score <= survey.LOW and (before is None or before > survey.LOW):
        procedure = assistant.procedure(interaction.procedure_key)
        outgoing.append(handoff.low_rating_alert(interaction, procedure, score))
        if assistant.handoff_enabled:
            replies.append(survey.low_rating_offer(interaction.id))
    if before is None:
        replies.append(survey.enough_request(interaction.id))
    return Turn(tuple(replies), tuple(outgoing))


async def _enough(
    assistant: Assistant, user_key: str, interaction: Interaction | None, value: str
) -> Turn:
    if interaction is None or value not in ("y", "n"):
        return Turn((Reply(EXPIRED, kind="stale"),))
    row, _ = await save_feedback(
        assistant, interaction_id=interaction.id, user_key=user_key, enough_info=value == "y"
    )
    if row is None:  # no rating yet: the survey starts with the scale
        return Turn((survey.rating_request(interaction.id, interaction.procedure_key),))
    async with assistant.sessionmaker.begin() as session:
        await assistant.set_pending(session, user_key, "comment", interaction.id)
    return Turn(
        (
            survey.enough_recorded(interaction.id, value == "y"),
            survey.comment_request(interaction.id),
        )
    )


async def _ask(assistant: Assistant, user_key: str, interaction: Interaction | None) -> Turn:
    if not assistant.handoff_enabled:
        return Turn((Reply(handoff.NO_STAFF + contact_text(assistant.knowledge.agency)),))
    interaction_id = interaction.id if interaction else 0
    async with assistant.sessionmaker.begin() as session:
        await assistant.set_pending(session, user_key, "handoff", interaction_id)
    return Turn((handoff.ask_for_question(interaction_id),))


async def save_feedback(
    assistant: Assistant, **values: object
) -> tuple[Feedback | None, int | None]:
    """Create or update the feedback row; returns it with the score it had before.

    Two replicas may insert the same interaction's first rating at once: the loser's
    unique-constraint error is retried, and then finds the row and updates it.
    """
    for attempt in (1, 2):
        try:
            async with assistant.sessionmaker.begin() as session:
                before = await session.scalar(
                    select(Feedback.score).where(
                        Feedback.interaction_id == values["interaction_id"]
                    )
                )
                row = await repo.save_feedback(session, **values)  # type: ignore[arg-type]
                return row, before
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
