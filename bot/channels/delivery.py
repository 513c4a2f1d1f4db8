"""Cross-channel delivery of `Outgoing` messages: the staff chat and citizens on other channels.

The core only says *who* a message is for (`STAFF`, or a citizen's chat id on a channel); each
channel delivers what belongs to itself and hands the rest to one shared `Router`:

- `Outgoing(STAFF, …)` from a channel without a staff chat of its own (Zalo) goes to the staff
  sender — Telegram's staff chat when `STAFF_CHAT_ID` is set. A handoff's staff message id is
  reported to the core (`link_handoff`), so a staff reply in Telegram finds the Zalo citizen.
- `Outgoing(chat_id, channel="zalo")` produced in Telegram (a staff reply relayed to a Zalo
  citizen) goes to the sender registered for "zalo".

Senders are plain async callables `(to, reply) -> message id | None`; the router knows no
platform. A failed delivery is logged and never stops the others.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.core.assistant import Assistant
from bot.core.messages import STAFF, Outgoing, Reply

log = logging.getLogger(__name__)

Sender = Callable[[str, Reply], Awaitable[str | None]]
NOT_DELIVERED = (
    "⚠️ Chưa gửi được tin nhắn tới người hỏi (kênh của họ từ chối, ví dụ đã quá thời hạn "
    "được nhắn lại). Vui lòng liên hệ người hỏi bằng cách khác nếu có thể."
)


class Router:
    """Delivers Outgoing messages to the staff sender or to another channel's sender."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.staff: Sender | None = None
        self.channels: dict[str, Sender] = {}

    def register(self, channel: str, sender: Sender) -> None:
        self.channels[channel] = sender

    def register_staff(self, sender: Sender) -> None:
        self.staff = sender

    async def deliver(self, out: Outgoing) -> bool:
        """Send one Outgoing; False (and a log line) when it could not be delivered."""
        if out.to == STAFF:
            sender, target = self.staff, "the staff chat"
        else:
            sender, target = self.channels.get(out.channel or ""), f"channel {out.channel}"
        if sender is None:
            log.warning("no sender for %s: a %s message was not delivered", target, out.reply.kind)
            return False
        try:
            message_id = await sender(out.to, out.reply)
        except Exception as exc:  # one failed delivery must not stop the others
            log.error("delivery to %s failed (%s): %s", target, out.reply.kind, exc)
            return False
        if out.handoff_id is not None and message_id is not None:
            await self.assistant.link_handoff(out.handoff_id, message_id)
        return True
