"""Reply → Telegram message parts: escaped HTML with a bold title, split under the length
limit on line boundaries, and inline keyboards (long labels on their own row)."""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Sequence
from dataclasses import replace

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from telegram.constants import MessageLimit

from bot.channels.splitting import split_on_lines
from bot.core import survey
from bot.core.messages import Button, Reply

log = logging.getLogger(__name__)

WIDE_LABEL = 22  # buttons with longer labels get a row of their own
TICK = "✅ "  # marks the rating a citizen chose


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Plain text cut into pieces whose escaped HTML fits `limit`, on line boundaries."""
    return split_on_lines(text, limit, size=lambda piece: len(html.escape(piece)))


def render(reply: Reply) -> list[str]:
    """The reply as HTML messages: the title bold, every knowledge text escaped."""
    head = f"<b>{html.escape(reply.title)}</b>\n\n" if reply.title else ""
    limit = MessageLimit.MAX_TEXT_LENGTH
    chunks = [html.escape(c) for c in split_text(reply.text, limit - len(head))]
    return [head + chunks[0], *chunks[1:]]


def attach_survey(replies: Sequence[Reply]) -> list[Reply]:
    """An answer card and the survey that follows it as one message, the scale as a row of
    faces under the card's buttons: one message to read, and one Bot API call instead of two
    (bench/README.md, load benchmark)."""
    merged: list[Reply] = []
    for reply in replies:
        card = merged[-1] if merged else None
        if (
            reply.kind == "survey"
            and card is not None
            and card.kind == "answer"
            and reply.interaction_id is not None
            and card.interaction_id == reply.interaction_id
        ):
            merged[-1] = replace(
                card,
                text=f"{card.text}\n\n{survey.FACE_PROMPT}",
                buttons=card.buttons + survey.face_buttons(reply.interaction_id),
            )
        else:
            merged.append(reply)
    return merged


def keyboard(buttons: Sequence[Button]) -> str | None:
    """The inline keyboard as the Bot API's `reply_markup` JSON, short labels two to a row,
    long ones alone, rating faces in one row. Built from our buttons directly: PTB's button
    objects and their `to_dict` cost about fifteen times the CPU, on every answer."""
    if not buttons:
        return None
    rows: list[list[Button]] = []
    for button in buttons:
        if rows and _fits(rows[-1], button):
            rows[-1].append(button)
        else:
            rows.append([button])
    keys = [[_key(button) for button in row] for row in rows]
    return json.dumps({"inline_keyboard": keys}, ensure_ascii=False)


def with_keyboard(buttons: Sequence[Button]) -> dict[str, str] | None:
    """`api_kwargs` that attach the keyboard to a message sent or edited."""
    keys = keyboard(buttons)
    return {"reply_markup": keys} if keys else None


def _key(button: Button) -> dict[str, str]:
    if button.url:
        return {"text": button.label, "url": button.url}
    return {"text": button.label, "callback_data": button.action or ""}


def _fits(row: list[Button], button: Button) -> bool:
    """Rating faces share one row; other short labels go two to a row."""
    if _is_face(button) or _is_face(row[0]):
        return _is_face(button) and _is_face(row[0])
    return len(row) == 1 and len(row[0].label) <= WIDE_LABEL and len(button.label) <= WIDE_LABEL


def tick(markup: InlineKeyboardMarkup, action: str) -> InlineKeyboardMarkup:
    """The keyboard with the rating button of `action` ticked and any earlier tick removed."""
    return InlineKeyboardMarkup(
        [[_ticked(button, action) for button in row] for row in markup.inline_keyboard]
    )


def _ticked(button: InlineKeyboardButton, action: str) -> InlineKeyboardButton:
    data = button.callback_data
    if not isinstance(data, str) or not data.startswith(survey.RATING_ACTION):
        return button
    label = button.text.removeprefix(TICK)
    return InlineKeyboardButton(TICK + label if data == action else label, callback_data=data)


def _is_face(button: Button) -> bool:
    """A rating button of the faces-only row (`survey.face_buttons`)."""
    action = button.action or ""
    return action.startswith(survey.RATING_ACTION) and button.label in survey.FACES.values()
