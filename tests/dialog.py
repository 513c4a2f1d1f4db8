"""Conversation tests that read like dialogs, asserting on meaning, not exact strings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.channels.console import ConsoleChat
from bot.core.messages import Reply


@dataclass(frozen=True)
class Expect:
    """What the bot's replies to one turn must mean."""

    kind: str | None = None
    procedure: str | None = None
    contains: Sequence[str] = ()
    buttons: Sequence[str] = ()  # labels (substrings) that must be offered
    choices: Sequence[str] = field(default=())  # procedure keys offered in a clarify


async def verify_dialog(chat: ConsoleChat, turns: Sequence[tuple[str, Expect]]) -> list[Reply]:
    """Play each (user says, bot must reply) turn; fail with the whole reply on a mismatch."""
    replies: list[Reply] = []
    for said, expect in turns:
        replies = await chat.say(said)
        first = replies[0]
        shown = "\n".join(f"[{r.kind}] {r.title or ''}\n{r.text}" for r in replies)
        if expect.kind:
            assert first.kind == expect.kind, f"{said!r} → {shown}"
        if expect.procedure:
            assert first.procedure_key == expect.procedure, f"{said!r} → {shown}"
        for fragment in expect.contains:
            assert fragment in shown, f"{said!r}: {fragment!r} missing in {shown}"
        labels = [b.label for r in replies for b in r.buttons]
        for label in expect.buttons:
            assert any(label in x for x in labels), f"{said!r}: no button {label!r} in {labels}"
        actions = [b.action or "" for r in replies for b in r.buttons]
        for key in expect.choices:
            assert any(a.endswith(f":{key}") for a in actions), f"{said!r}: {key} not offered"
    return replies
