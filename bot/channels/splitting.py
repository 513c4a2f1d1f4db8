"""Long replies cut into messages that fit a platform's limit, on line boundaries."""

from __future__ import annotations

from collections.abc import Callable


def split_on_lines(text: str, limit: int, size: Callable[[str], int] = len) -> list[str]:
    """Pieces of `text` each measuring at most `limit` by `size` (e.g. escaped HTML length);
    lines stay whole unless one line alone is too long, which is then cut where it fits."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while size(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            cut = _longest_fitting_prefix(line, limit, size)
            pieces.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if current and size(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current or not pieces:
        pieces.append(current)
    return pieces


def _longest_fitting_prefix(line: str, limit: int, size: Callable[[str], int]) -> int:
    low, high = 1, len(line)
    while low < high:
        middle = (low + high + 1) // 2
        if size(line[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return low
