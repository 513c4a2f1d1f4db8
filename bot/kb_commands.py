"""The `kb` commands' work: import with a printed diff, export, completeness statistics."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from pathlib import Path

import typer

from bot.config import Settings
from bot.db import repo
from bot.knowledge import (
    KnowledgeBase,
    Procedure,
    ProcessingTime,
    export_jsonl,
    export_yaml,
    load_jsonl,
    load_knowledge,
)
from bot.runtime import open_database
from bot.staff import audit

META = ("agency", "synonyms")


def describe(
    changes: repo.KnowledgeChanges,
    before: Mapping[str, Procedure] | None = None,
    after: Mapping[str, Procedure] | None = None,
) -> list[str]:
    """`+ key`, `- key`, `~ key: fields`, each changed field then shown as before → after."""
    lines = [f"+ {key}" for key in changes.added]
    for key, fields in changes.updated.items():
        lines.append(f"~ {key}: {', '.join(fields)}")
        if before and after and key in before and key in after:
            for name, change in audit.procedure_changes(before[key], after[key]).items():
                old, new = audit.short(change["before"]), audit.short(change["after"])
                lines.append(f"    {name}: {old} → {new}")
    lines += [f"- {key}" for key in changes.removed]
    lines += [f"~ {name}" for name in changes.meta]
    return lines


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


async def import_knowledge(
    settings: Settings,
    directory: Path,
    *,
    jsonl: Path | None,
    dry_run: bool,
    overwrite: bool = False,
) -> None:
    """Validate first (nothing is written when a file is wrong), then sync the database.
    A procedure last changed by staff (/admin, the staff chat) is kept unless `overwrite`:
    every deployment runs an import, which must not undo the day's edits."""
    procedures = load_jsonl(jsonl) if jsonl else None
    kb = None if jsonl else load_knowledge(directory)
    engine, sessionmaker = await open_database(settings)
    try:
        async with sessionmaker.begin() as session:
            before = {p.key: p for p in await repo.list_procedures(session)}
            old_meta = {name: await repo.get_meta(session, key=name) for name in META}
            keep = frozenset() if overwrite else await audit.edited_by_staff(session)
            if kb is not None:
                changes = await repo.sync_knowledge(session, kb=kb, dry_run=dry_run, keep=keep)
                after = {p.key: p for p in kb.procedures}
                new_meta = {"agency": kb.agency.model_dump(mode="json"), "synonyms": kb.synonyms}
            else:
                assert procedures is not None
                changes = await repo.sync_procedures(
                    session, procedures=procedures, dry_run=dry_run, keep=keep
                )
                after, new_meta = {p.key: p for p in procedures}, {}
                if changes and not dry_run:
                    await repo.bump_version(session)
            if dry_run:
                await session.rollback()
            else:
                audit.record_import(
                    session,
                    who=_operator(),
                    changes=changes,
                    before=before,
                    after=after,
                    old_meta=old_meta,
                    new_meta=new_meta,
                )
    finally:
        await engine.dispose()
    for line in describe(changes, before, after):
        typer.echo(line)
    for key in changes.kept:
        typer.echo(f"! {key}: edited by staff since the last import, kept (--overwrite: replace)")
    summary = (
        f"{len(changes.added)} added, {len(changes.updated)} updated, "
        f"{len(changes.removed)} removed"
    ) + (f", {len(changes.kept)} kept" if changes.kept else "")
    typer.echo(("dry run, nothing written: " if dry_run else "") + summary)


async def export_knowledge(settings: Settings, directory: Path, fmt: str) -> None:
    engine, sessionmaker = await open_database(settings)
    try:
        async with sessionmaker() as session:
            kb = await repo.load_knowledge_base(session)
    finally:
        await engine.dispose()
    if kb is None:
        typer.echo("the database holds no knowledge yet; run `tthc-bot kb import` first", err=True)
        raise typer.Exit(1)
    jsonl = fmt == "jsonl"
    target = directory / "procedures.jsonl" if jsonl and directory.suffix != ".jsonl" else directory
    try:
        if jsonl:
            target.parent.mkdir(parents=True, exist_ok=True)
            export_jsonl(kb.procedures, target)
        else:
            export_yaml(kb, directory)
    except OSError as exc:  # a read-only folder (the image's knowledge/), a full disk …
        typer.echo(f"cannot write {exc.filename or target}: {exc.strerror or exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"exported {len(kb.procedures)} procedures to {target}")


FIELD_CHECKS: dict[str, Callable[[Procedure], bool]] = {
    "code": lambda p: bool(p.code),
    "level": lambda p: bool(p.level),
    "processing_time.working_days": lambda p: p.processing_time.working_days is not None,
    "processing_time.calendar_days": lambda p: p.processing_time.calendar_days is not None,
    "processing_time.text": lambda p: bool(p.processing_time.text),
    "documents": lambda p: bool(p.documents),
    "fees": lambda p: bool(p.fees),
    "submission.channels": lambda p: bool(p.submission.channels),
    "submission.where": lambda p: bool(p.submission.where),
    "submission.online_url": lambda p: bool(p.submission.online_url),
    "legal_basis": lambda p: bool(p.legal_basis),
    "conditions": lambda p: bool(p.conditions),
    "result": lambda p: bool(p.result),
    "validity": lambda p: bool(p.validity),
    "steps": lambda p: bool(p.steps),
    "aliases (≥3)": lambda p: len(p.aliases) >= 3,
    "source_note": lambda p: bool(p.source_note),
}


def stats_text(kb: KnowledgeBase, today: date | None = None) -> str:
    """Completeness report: share per field, procedures missing key facts, stale ones."""
    procedures = kb.procedures
    total = len(procedures) or 1
    lines = [f"{len(procedures)} procedures", "", "Field completeness:"]
    for name, check in FIELD_CHECKS.items():
        have = sum(1 for p in procedures if check(p))
        lines.append(f"  {name:30} {have:4}/{len(procedures):<4} {100 * have / total:5.1f}%")
    for label, check in (
        ("documents", FIELD_CHECKS["documents"]),
        ("fees", FIELD_CHECKS["fees"]),
        (
            "processing time",
            lambda p: p.processing_time != ProcessingTime(),
        ),
    ):
        missing = [p for p in procedures if not check(p)]
        lines += ["", f"Missing {label} ({len(missing)}):"]
        lines += [f"  {p.key}  {p.name}" for p in missing]
    cutoff = (today or date.today()) - timedelta(days=365)
    stale = [p for p in procedures if p.verified_on < cutoff]
    lines += ["", f"Verified more than 12 months ago ({len(stale)}):"]
    lines += [f"  {p.key}  {p.verified_on}  {p.name}" for p in stale]
    return "\n".join(lines)
