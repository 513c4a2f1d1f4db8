"""Report and privacy commands."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.base import (
    app,
    privacy_app,
    run,
    settings,
)


@app.command()
def report(
    date_from: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD or DD/MM/YYYY.")
    ] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day (inclusive).")] = None,
    period: Annotated[
        str | None, typer.Option("--period", help="quarter|half|nine-months|year|month|week")
    ] = None,
    channel: Annotated[str | None, typer.Option("--channel", help="telegram|zalo|console")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table|json|csv|xlsx|png")] = "table",
    output: Annotated[Path | None, typer.Option("--output", help="Write to this file.")] = None,
) -> None:
    """Satisfaction report per procedure, field, channel and period (default: this quarter)."""
    from bot.reports.command import ReportRequest, make_report, write_output

    try:
        request = ReportRequest.parse(date_from, date_to, period, channel, fmt)
        if fmt in ("xlsx", "png") and output is None and sys.stdout.isatty():
            raise ValueError(f"--format {fmt} is binary: add --output FILE (or redirect)")
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    data = run(make_report(settings(), request))
    try:
        message = write_output(data, output)
    except OSError as exc:
        typer.echo(f"cannot write {output}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None
    if message:
        typer.echo(message, err=True)


@privacy_app.command("purge")
def privacy_purge(
    older_than: Annotated[
        int, typer.Option("--older-than", min=0, help="Age in days of the texts to forget.")
    ],
) -> None:
    """Delete question texts and comments older than DAYS; the counts reports use stay.

    Webhook dedupe records and numbered choices older than DAYS (and at least a day) go too.
    """
    from bot.reports.command import purge

    typer.echo(run(purge(settings(), older_than)))
