"""Command-line interface (Typer): chat, ask, match, kb …, db, report, privacy, telegram,
serve, staff, audit. Each module registers its commands on the shared app."""

from bot.cli import chat, knowledge, reports, serving, staff  # noqa: F401  (registration)
from bot.cli.base import app

__all__ = ["app"]
