"""The `staff` and `audit` commands' work (the Typer wiring is in bot/cli.py)."""

from __future__ import annotations

from datetime import date

import typer

from bot.config import Settings
from bot.reports.periods import local_midnight_utc
from bot.runtime import open_database
from bot.staff import accounts, audit


async def add(settings: Settings, name: str, role: str, password: str) -> str:
    engine, sessionmaker = await open_database(settings)
    try:
        async with sessionmaker.begin() as session:
            account = await accounts.add_staff(session, name=name, role=role, password=password)
    finally:
        await engine.dispose()
    return f"staff member {account.name} added ({account.role})"


async def listing(settings: Settings) -> str:
    engine, sessionmaker = await open_database(settings)
    try:
        async with sessionmaker() as session:
            rows = await accounts.list_staff(session)
    finally:
        await engine.dispose()
    if not rows:
        return "no staff accounts yet: add one with `tthc-bot staff add NAME --role editor`"
    return "\n".join(f"{r.name:30} {r.role:7} {'' if r.active else 'disabled'}" for r in rows)


async def remove(settings: Settings, name: str) -> bool:
    engine, sessionmaker = await open_database(settings)
    try:
        async with sessionmaker.begin() as session:
            return await accounts.remove_staff(session, name=name)
    finally:
        await engine.dispose()


async def audit_log(settings: Settings, since: date | None, as_json: bool) -> None:
    engine, sessionmaker = await open_database(settings)
    try:
        async with sessionmaker() as session:
            rows = await audit.entries(session, since=local_midnight_utc(since) if since else None)
    finally:
        await engine.dispose()
    typer.echo(audit.render_json(rows) if as_json else audit.render_text(rows), nl=not as_json)
