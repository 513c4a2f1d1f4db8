"""Follow-up questions: "còn lệ phí thì sao?" is about the procedure just discussed.

A question is a follow-up when it asks about an aspect (fee, time, online …) or a result date
but names nothing else: once the aspect phrases are taken out, only conversational words and
words of the procedure just discussed are left. The last procedure is kept per user in the
database (`conversations`), so the follow-up works on any replica and after a restart, until
it expires.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.aspects import aspect_spans
from bot.core.matcher import MatchResult
from bot.core.smalltalk import ABOUT_US, detect_smalltalk
from bot.db.repo.conversation import ConversationState

# Folded words that carry no procedure name in a follow-up ("nộp hôm nay thì có …", "thế hồ
# sơ gồm những gì", "thông tin chưa rõ, phí bao nhiêu", "xem chi tiết hồ sơ").
FOLLOW_UP_WORDS = frozenset(
    """con thi sao nop mat co hom nay mai ngay tuan sau nay roi nua luc nao bao gio ket qua
    the vay duoc khong ko k neu xong lay nhan tien lau het nhieu may ra chua gi dau cach
    bang kia thu hai ba tu nam sau bay chu nhat cn
    gom nhung cac cu ro hon xem chi tiet noi them biet thong tin cai quen""".split()  # digits
)


def aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; every time the core stores is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def still_valid(at: datetime | None, now: datetime, minutes: int) -> bool:
    at = aware(at)
    return at is not None and now - at <= timedelta(minutes=minutes)


def _unexplained(result: MatchResult) -> list[str]:
    """Folded content words left once the aspect phrases and small talk ("ok", "cảm ơn") are
    taken out."""
    analysis = result.analysis
    covered = {i for _, start, end in aspect_spans(analysis) for i in range(start, end)}
    if polite := detect_smalltalk(analysis):
        covered |= polite[1]
    return [analysis.folded[i] for i in analysis.content if i not in covered]


def is_follow_up(result: MatchResult, context_words: frozenset[str]) -> bool:
    """Whether a question that got no answer of its own is about the procedure just discussed,
    whose name and alias words are `context_words`: it asks for an aspect or a result date
    and names nothing else ("còn lệ phí thì sao?", "giấy phép x quang nộp ở đâu"). A question
    naming something else ("làm hộ chiếu ở đâu") is not, whatever the matcher found."""
    if result.outcome == "answer" or not (result.aspect or result.deadline):
        return False
    if result.smalltalk in ABOUT_US:
        return False
    return all(
        w in FOLLOW_UP_WORDS or w in context_words or w.isdigit() for w in _unexplained(result)
    )


def names_nothing(result: MatchResult) -> bool:
    """It asks a part or a date and names no procedure ("phí bao nhiêu?", "còn lệ phí thì
    sao?"): a follow-up of nothing."""
    return is_follow_up(result, frozenset())


def asks_which(result: MatchResult) -> bool:
    """Nothing named, so the answer is a question back (which procedure?), not a gap in the
    knowledge base: a part asked of nothing, or only polite or generic words ("em muốn hỏi
    về thủ tục hành chính", "cho tôi hỏi", an emoji)."""
    return names_nothing(result) or (result.outcome == "fallback" and not _unexplained(result))


PART = "part:"  # pending: the part asked of no procedure ("part:fee"), for the next question


def asked_part(pending_value: str | None) -> str | None:
    """The part asked in the last turn, when it named no procedure ("phí bao nhiêu?")."""
    return (
        pending_value.removeprefix(PART)
        if pending_value and pending_value.startswith(PART)
        else None
    )


def pending(conv: ConversationState | None, now: datetime) -> str | None:
    """What the next text is for ("comment", "handoff"), while its window is open."""
    until = aware(conv.pending_until) if conv else None
    return conv.pending if conv and until and now < until else None
