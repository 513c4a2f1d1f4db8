"""What flows through the core: an incoming message and structured replies, channel-agnostic."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Incoming:
    """A citizen's message or button tap, as every channel translates it."""

    channel: str
    user_id: str
    text: str = ""
    action: str | None = None  # payload of a tapped button, e.g. "sec:2.002131:docs"


@dataclass(frozen=True)
class Button:
    """A choice under a reply: either an action handled by the core, or a link."""

    label: str
    action: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Reply:
    """One message to show; `title` is shown bold where the channel can."""

    text: str
    title: str | None = None
    buttons: tuple[Button, ...] = ()
    kind: str = "text"
    procedure_key: str | None = None
    interaction_id: int | None = None
