"""What flows through the core: an incoming message and structured replies, channel-agnostic.

A turn's result is a `Turn`: `replies` go back to whoever wrote, `outgoing` go to someone else
(the staff chat, or a citizen a staff member answers). Keeping the two in separate typed lists
means a channel cannot show a staff alert to a citizen by forgetting to check a field.
"""

from __future__ import annotations

from dataclasses import dataclass

STAFF = "staff"  # Outgoing.to for the department's staff chat (each channel knows its id)


@dataclass(frozen=True)
class Incoming:
    """A citizen's message or button tap, or a staff member's reply, as channels translate it."""

    channel: str
    user_id: str  # the raw chat id on the channel; the core stores only its keyed hash
    text: str = ""
    action: str | None = None  # payload of a tapped button, e.g. "sec:2.002131:docs"
    command: str | None = None  # "start", "help", "linhvuc", "tim", "lienhe"; text = arguments
    media: str | None = None  # a non-text message: "sticker", "photo", "voice", "location" …
    reply_to: str | None = None  # platform id of the message this one answers (staff replies)
    from_staff: bool = False  # written in the staff chat
    # The platform's id of this delivery (Telegram update_id, Zalo msg_id): the core answers
    # each one once, whichever replica receives it and however often it is retried.
    event_id: str | None = None

    @property
    def is_question(self) -> bool:
        """Typed text for the matcher (not a button, command, media or staff reply)."""
        return not (self.from_staff or self.action or self.command or self.media)


@dataclass(frozen=True)
class Button:
    """A choice under a reply: either an action handled by the core, or a link."""

    label: str
    action: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Reply:
    """One message to show; `title` is shown bold where the channel can.

    `edit` asks the channel to replace the message whose button was tapped (a survey showing
    the chosen answer) where it can; channels that cannot edit simply send it. An edit with
    an empty text only removes the tapped message's buttons (nothing to send elsewhere).
    """

    text: str
    title: str | None = None
    buttons: tuple[Button, ...] = ()
    kind: str = "text"
    procedure_key: str | None = None
    interaction_id: int | None = None
    edit: bool = False


@dataclass(frozen=True)
class Outgoing:
    """A reply for someone other than the writer.

    `to` is `STAFF` (the staff chat of the channel delivering it) or a citizen's raw chat id on
    `channel`. When `handoff_id` is set, the channel must report the id of the message it sent
    to `Assistant.link_handoff`, so a staff reply to that message finds the citizen again.
    """

    to: str
    reply: Reply
    channel: str | None = None
    handoff_id: int | None = None


@dataclass(frozen=True)
class Turn:
    """Everything the core wants delivered after one Incoming."""

    replies: tuple[Reply, ...] = ()
    outgoing: tuple[Outgoing, ...] = ()
    already_handled: bool = False  # a duplicate delivery: nothing to send, not even an ack
