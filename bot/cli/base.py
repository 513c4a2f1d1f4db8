"""The Typer app, its sub-command groups, and what every command shares: settings, running
coroutines with clear errors and exit codes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.config import Settings, SettingsError, get_settings
from bot.db.session import DatabaseUnavailable
from bot.knowledge import KnowledgeBase, KnowledgeError, load_knowledge

app = typer.Typer(help="Trợ lý thủ tục hành chính — tthc-bot", no_args_is_help=True)
kb_app = typer.Typer(help="Knowledge base: validate, import, export, stats.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")
app.add_typer(db_app, name="db")
privacy_app = typer.Typer(help="Personal data in stored texts.", no_args_is_help=True)
app.add_typer(privacy_app, name="privacy")


def settings() -> Settings:
    try:
        return get_settings()
    except SettingsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop where installed (`uvicorn[standard]`): the same loop uvicorn picks by itself,
    with cheaper socket I/O on every database and Bot API round trip; else asyncio's own."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine, turning expected failures into clear messages and exit codes."""
    try:
        with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
            return runner.run(coroutine)
    except KnowledgeError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"{len(exc.problems)} problem(s); nothing was changed.", err=True)
        raise typer.Exit(1) from None
    except DatabaseUnavailable as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


def load_knowledge_or_exit(directory: Path, summary: str = "") -> KnowledgeBase:
    """The knowledge files, or every problem as file:line: field: message and exit 1."""
    try:
        return load_knowledge(directory)
    except KnowledgeError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        if summary:
            typer.echo(f"{len(exc.problems)} problem(s) {summary}", err=True)
        raise typer.Exit(1) from None


def knowledge_dir(option: Path | None) -> Path:
    return option if option is not None else settings().knowledge_dir


KnowledgeOption = Annotated[
    Path | None, typer.Option("--knowledge", help="Knowledge directory (default KNOWLEDGE_DIR).")
]
