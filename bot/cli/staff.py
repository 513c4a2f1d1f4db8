"""Staff accounts of the admin web, and the audit trail."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from bot.cli.base import (
    app,
    run,
    settings,
)

staff_app = typer.Typer(help="Staff accounts of the admin web (/admin).", no_args_is_help=True)
app.add_typer(staff_app, name="staff")


@staff_app.command("add")
def staff_add(
    name: str,
    role: Annotated[str, typer.Option("--role", help="editor (may edit) or viewer (reads)")],
) -> None:
    """Add a staff account; the password is read from standard input (asked for on a terminal)."""
    from bot.staff.accounts import StaffError
    from bot.staff.commands import add

    if sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        typer.echo(run(add(settings(), name, role, password)))
    except StaffError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None


@staff_app.command("list")
def staff_list() -> None:
    """List staff accounts and their roles."""
    from bot.staff.commands import listing

    typer.echo(run(listing(settings())))


@staff_app.command("remove")
def staff_remove(name: str) -> None:
    """Remove a staff account (its sessions end at their next request)."""
    from bot.staff.commands import remove

    if not run(remove(settings(), name)):
        typer.echo(f"no staff member named {name!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"staff member {name} removed")


@app.command("audit")
def audit_command(
    since: Annotated[
        str | None, typer.Option("--since", help="First day, YYYY-MM-DD or DD/MM/YYYY.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Stable JSON (see README).")] = False,
) -> None:
    """Who changed the knowledge base, when, how: before → after of every changed field."""
    from bot.reports.periods import PeriodError, parse_date
    from bot.staff.commands import audit_log

    try:
        day = parse_date(since) if since else None
    except PeriodError as exc:
        typer.echo(f"--since: {exc}", err=True)
        raise typer.Exit(2) from None
    run(audit_log(settings(), day, as_json))
