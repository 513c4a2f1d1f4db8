"""Greetings, thanks, goodbyes and "who are you": short messages that are not questions."""

from __future__ import annotations

from bot.core.text import Analysis, PhraseSet

SMALLTALK_PHRASES: dict[str, tuple[str, ...]] = {
    "identity": (
        "bạn là ai",
        "em là ai",
        "là ai",
        "bot là gì",
        "bạn làm được gì",
        "bạn giúp được gì",
        "là gì vậy",
    ),
    "thanks": ("cảm ơn", "cám ơn", "thanks", "thank", "tks", "thank you", "cảm ơn nhiều"),
    "bye": ("tạm biệt", "bye", "goodbye", "hẹn gặp lại"),
    "greeting": ("xin chào", "chào", "hello", "hi", "alo", "helo", "hey", "chào bạn"),
}
_PHRASES = PhraseSet((kind, p) for kind, phrases in SMALLTALK_PHRASES.items() for p in phrases)
MAX_TOKENS = 7


def detect_smalltalk(analysis: Analysis) -> tuple[str, set[int]] | None:
    """The kind of small talk and the token indexes it covers, for a short message."""
    if not analysis.tokens or len(analysis.tokens) > MAX_TOKENS:
        return None
    found = _PHRASES.find(analysis)
    if not found:
        return None
    kind, start, end = found[0]
    return kind, set(range(start, end))
