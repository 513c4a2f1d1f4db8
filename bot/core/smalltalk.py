"""Greetings, thanks, goodbyes and "who are you": short messages that are not questions."""

from __future__ import annotations

from bot.core.text import Analysis, find_phrase

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
_PHRASES = {k: [tuple(p.split()) for p in v] for k, v in SMALLTALK_PHRASES.items()}
MAX_TOKENS = 7


def detect_smalltalk(analysis: Analysis) -> tuple[str, set[int]] | None:
    """The kind of small talk and the token indexes it covers, for a short message."""
    if not analysis.tokens or len(analysis.tokens) > MAX_TOKENS:
        return None
    for kind, phrases in _PHRASES.items():
        for phrase in phrases:
            start = find_phrase(analysis.tokens, phrase)
            if start is not None:
                return kind, set(range(start, start + len(phrase)))
    return None
