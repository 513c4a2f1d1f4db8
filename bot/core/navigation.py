"""Buttons that move around the knowledge base: a section of a procedure (`sec:<key>:<section>`),
a clarify choice (`pick:<interaction>:<key>`), a browsed procedure (`card:<key>`), the field
lists (`flds:<page>`, `fld:<field hash>:<page>`).

Payloads are stateless, so any replica can handle a tap. A button older than the knowledge
base it points into gets the current card with a notice, or a polite "ask again".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core import browse, survey
from bot.core.cards import section_buttons, section_text
from bot.core.messages import Incoming, Reply, Turn
from bot.db import repo

if TYPE_CHECKING:
    from bot.core.assistant import Assistant

STALE = "Thông tin đã thay đổi, bạn vui lòng hỏi lại."
CHANGED = "Thông tin thủ tục đã thay đổi. Đây là thông tin mới nhất:"


def as_int(value: str) -> int:
    """A number from a button payload; -1 for anything else (buttons can be forged)."""
    return int(value) if value.isdigit() else -1


async def handle(assistant: Assistant, incoming: Incoming, kind: str, rest: str) -> Turn | None:
    """The turn for a navigation button, or None when `kind` is not one of them."""
    first, _, second = rest.partition(":")
    if kind == "sec":
        key, _, section = rest.rpartition(":")
        return Turn(tuple(await _section(assistant, incoming, key, section)))
    if kind in ("pick", "card"):
        key, picked_from = (second, first) if kind == "pick" else (rest, None)
        return Turn(tuple(await _show(assistant, incoming, key, picked_from)))
    if kind == "flds":
        return Turn((browse.fields_reply(assistant.knowledge, as_int(first)),))
    if kind == "fld":
        reply = browse.field_reply(assistant.knowledge, first, as_int(second))
        if reply is None:
            reply = browse.fields_reply(assistant.knowledge)
            reply = Reply(f"Danh mục đã thay đổi. {reply.text}", buttons=reply.buttons)
        return Turn((reply,))
    return None


async def _section(assistant: Assistant, incoming: Incoming, key: str, section: str) -> list[Reply]:
    procedure, changed = assistant.find(key)
    if procedure is None:
        return [Reply(STALE, kind="stale")]
    try:
        text = section_text(procedure, section)
    except ValueError:
        changed, text = True, ""
    if changed:
        return [Reply(CHANGED, kind="stale"), assistant.card(procedure, None, None)]
    async with assistant.sessionmaker.begin() as session:
        user_key = assistant.user_key(incoming)
        await assistant.remember(session, user_key, procedure.key, None, None)
    return [
        Reply(
            text,
            title=procedure.name,
            buttons=section_buttons(procedure, exclude=section),
            kind="section",
            procedure_key=procedure.key,
        )
    ]


async def _show(
    assistant: Assistant, incoming: Incoming, key: str, picked_from: str | None
) -> list[Reply]:
    """A clarify choice (`pick`) or a browsed procedure (`card`): the card and a survey."""
    procedure, changed = assistant.find(key)
    if procedure is None:
        return [Reply(STALE, kind="stale")]
    user_key, now = assistant.user_key(incoming), assistant.clock()
    async with assistant.sessionmaker.begin() as session:
        interaction = None
        if picked_from is not None:
            interaction = await assistant.own_interaction(session, as_int(picked_from), user_key)
        ask_survey = interaction is None or interaction.procedure_key is None
        aspect = interaction.aspect if interaction else None
        if interaction is None:
            interaction_id = await repo.record_interaction(
                session,
                channel=incoming.channel,
                user_key=user_key,
                question=None,  # type: ignore[arg-type]
                normalized=None,  # type: ignore[arg-type]
                outcome="browse",
                procedure_key=procedure.key,
            )
        else:
            interaction.procedure_key = procedure.key
            interaction_id = interaction.id
        await assistant.remember(session, user_key, procedure.key, interaction_id, now)
    replies = [Reply(CHANGED, kind="stale")] if changed else []
    replies.append(assistant.card(procedure, aspect, interaction_id))
    if ask_survey:
        replies.append(survey.rating_request(interaction_id, procedure.key))
    return replies
