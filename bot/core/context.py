"""Follow-up questions: "còn lệ phí thì sao?" is about the procedure just discussed.

A question is a follow-up when it asks about an aspect (fee, time, online …) or a result date
but names no procedure of its own: nothing is left once the aspect phrases and conversational
words are taken out. The last procedure is kept per user in the database (`conversations`),
so the follow-up works on any replica and after a restart, until it expires.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.aspects import aspect_spans
from bot.core.matcher import MatchResult
from bot.db.repo.conversation import ConversationState

# Folded words that carry no procedure name in a follow-up ("nộp hôm nay thì có …").
FOLLOW_UP_WORDS = frozenset(
    """con thi sao nop mat co hom nay mai ngay tuan sau nay roi nua luc nao bao gio ket qua
    the vay duoc khong ko k neu xong lay nhan tien lau het""".split()
)


def aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; every time the core stores is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def still_valid(at: datetime | None, now: datetime, minutes: int) -> bool:
    at = aware(at)
    return at is not None and now - at <= timedelta(minutes=minutes)


def names_nothing(result: MatchResult) -> bool:
    """True when the question has no words left besides aspect and conversational ones."""
    analysis = result.analysis
    covered = {i for _, start, end in aspect_spans(analysis) for i in range(start, end)}
    rest = [analysis.folded[i] for i in analysis.content if i not in covered]
    return all(word in FOLLOW_UP_WORDS for word in rest)


def is_follow_up(result: MatchResult, context_key: str) -> bool:
    """Whether a question that got no answer of its own is about `context_key`."""
    if result.outcome == "answer" or not (result.aspect or result.deadline):
        return False
    if result.outcome == "fallback" or names_nothing(result):
        return True
    return any(m.procedure.key == context_key for m in result.matches)


def pending(conv: ConversationState | None, now: datetime) -> str | None:
    """What the next text is for ("comment", "handoff"), while its window is open."""
    until = aware(conv.pending_until) if conv else None
    return conv.pending if conv and until and now < until else None
