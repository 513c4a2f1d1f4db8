"""Reply → Telegram message parts: escaped HTML with a bold title, split under the length
limit on line boundaries, and inline keyboards (long labels on their own row)."""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from telegram.constants import MessageLimit

from bot.channels.splitting import split_on_lines
from bot.core.messages import Button, Reply

log = logging.getLogger(__name__)

WIDE_LABEL = 22  # buttons with longer labels get a row of their own


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Plain text cut into pieces whose escaped HTML fits `limit`, on line boundaries."""
    return split_on_lines(text, limit, size=lambda piece: len(html.escape(piece)))


def render(reply: Reply) -> list[str]:
    """The reply as HTML messages: the title bold, every knowledge text escaped."""
    head = f"<b>{html.escape(reply.title)}</b>\n\n" if reply.title else ""
    limit = MessageLimit.MAX_TEXT_LENGTH
    chunks = [html.escape(c) for c in split_text(reply.text, limit - len(head))]
    return [head + chunks[0], *chunks[1:]]


def keyboard(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    """Inline keyboard: short labels two to a row, long ones alone."""
    if not buttons:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    for button in buttons:
        key = (
            InlineKeyboardButton(button.label, url=button.url)
            if button.url
            else InlineKeyboardButton(button.label, callback_data=button.action)
        )
        wide = len(button.label) > WIDE_LABEL
        if rows and not wide and len(rows[-1]) == 1 and len(rows[-1][0].text) <= WIDE_LABEL:
            rows[-1].append(key)
        else:
            rows.append([key])
    return InlineKeyboardMarkup(rows)
