"""Terminal chat: the console adapter of the core; buttons become numbered choices."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from bot.core.assistant import Assistant
from bot.core.messages import Button, Incoming, Outgoing, Reply

CHANNEL = "console"
PROMPT = "Bạn: "
QUIT_WORDS = {"thoat", "thoát", "quit", "exit", "q"}


def render(reply: Reply) -> str:
    """A reply as terminal text, with its buttons as numbered choices."""
    parts = []
    if reply.title:
        parts.append(f"== {reply.title} ==")
    parts.append(reply.text)
    for number, button in enumerate(reply.buttons, start=1):
        target = f" → {button.url}" if button.url else ""
        parts.append(f"  [{number}] {button.label}{target}")
    return "\n".join(parts)


class ConsoleChat:
    """One person at a terminal; remembers the last choices so a typed number taps them."""

    def __init__(self, assistant: Assistant, user_id: str = "local") -> None:
        self.assistant = assistant
        self.user_id = user_id
        self.choices: list[Button] = []
        self.outgoing: list[Outgoing] = []

    def to_incoming(self, line: str) -> Incoming:
        text = line.strip()
        if text.isdigit() and 1 <= int(text) <= len(self.choices):
            button = self.choices[int(text) - 1]
            if button.action:
                return Incoming(CHANNEL, self.user_id, text=button.label, action=button.action)
        if text.startswith("/") and len(text) > 1:
            name, _, args = text[1:].partition(" ")
            return Incoming(CHANNEL, self.user_id, text=args.strip(), command=name.lower())
        return Incoming(CHANNEL, self.user_id, text=line)

    async def say(self, line: str) -> list[Reply]:
        """The replies to one line; messages for others (staff) are kept in `outgoing`."""
        turn = await self.assistant.respond(self.to_incoming(line))
        self.outgoing = list(turn.outgoing)
        actionable = [b for r in turn.replies for b in r.buttons]
        if actionable:
            self.choices = actionable
        return list(turn.replies)


async def run_console(assistant: Assistant, lines: Iterable[str], out: TextIO) -> None:
    """Read questions line by line until end of input or a quit word."""
    chat = ConsoleChat(assistant)
    out.write("Trợ lý thủ tục hành chính — gõ câu hỏi, số để chọn, 'thoát' để kết thúc.\n")
    out.write(PROMPT)
    out.flush()
    for line in lines:
        if line.strip().lower() in QUIT_WORDS:
            break
        numbered = 0
        for reply in await chat.say(line):
            if not reply.text and not reply.buttons:
                continue  # "remove the buttons of the tapped message": nothing to show here
            out.write(_renumber(render(reply), numbered) + "\n\n")
            numbered += len(reply.buttons)
        for message in chat.outgoing:  # no staff chat in a terminal: show what would be sent
            out.write(f"(gửi tới {message.to}) {message.reply.text}\n\n")
        out.write(PROMPT)
        out.flush()
    out.write("\nTạm biệt!\n")


def _renumber(text: str, offset: int) -> str:
    """Choices are numbered across all replies of one turn."""
    if not offset:
        return text
    lines = []
    for line in text.splitlines():
        if line.startswith("  [") and "]" in line:
            number, rest = line[3:].split("]", 1)
            line = f"  [{int(number) + offset}]{rest}"
        lines.append(line)
    return "\n".join(lines)
