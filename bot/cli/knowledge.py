"""Knowledge and database commands: kb validate, import, export, schema, stats,
from-national; db upgrade."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.base import (
    KnowledgeOption,
    db_app,
    kb_app,
    knowledge_dir,
    load_knowledge_or_exit,
    run,
    settings,
)
from bot.knowledge import KnowledgeError


@kb_app.command("validate")
def kb_validate(directory: Annotated[Path | None, typer.Argument()] = None) -> None:
    """Check every knowledge file; print file:line: field: problem for each error."""

    path = knowledge_dir(directory)
    kb = load_knowledge_or_exit(path, summary=f"in {path}")
    typer.echo(f"OK: {len(kb.procedures)} procedures, {len(kb.synonyms)} synonyms in {path}")


@kb_app.command("import")
def kb_import(
    directory: Annotated[Path | None, typer.Argument()] = None,
    jsonl: Annotated[
        Path | None, typer.Option("--jsonl", help="Import procedures from a JSONL file.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show changes only.")] = False,
    overwrite: Annotated[
        bool,
        typer.Option("--overwrite", help="Replace procedures staff edited since the last import."),
    ] = False,
) -> None:
    """Load knowledge files into the database: adds, updates, removes; prints what changed.
    Procedures staff edited (/admin, staff chat) since the last import are kept."""
    from bot.kb_commands import import_knowledge

    run(
        import_knowledge(
            settings(), knowledge_dir(directory), jsonl=jsonl, dry_run=dry_run, overwrite=overwrite
        )
    )


@kb_app.command("export")
def kb_export(
    directory: Annotated[Path | None, typer.Argument()] = None,
    fmt: Annotated[str, typer.Option("--format", help="yaml or jsonl")] = "yaml",
) -> None:
    """Write the database's knowledge back to files (yaml: a knowledge dir; jsonl: one file)."""
    from bot.kb_commands import export_knowledge

    if fmt not in ("yaml", "jsonl"):
        typer.echo("--format must be yaml or jsonl", err=True)
        raise typer.Exit(2)
    run(export_knowledge(settings(), knowledge_dir(directory), fmt))


@kb_app.command("schema")
def kb_schema(output: Annotated[Path | None, typer.Argument()] = None) -> None:
    """Write the JSON Schema of procedure files (default knowledge/schema.json)."""
    from bot.knowledge import json_schema

    target = output or knowledge_dir(None) / "schema.json"
    target.write_text(json_schema(), encoding="utf-8")
    typer.echo(f"wrote {target}")


@kb_app.command("stats")
def kb_stats(knowledge: KnowledgeOption = None) -> None:
    """Completeness of the knowledge files: per field, missing facts, stale verifications."""
    from bot.kb_commands import stats_text

    typer.echo(stats_text(load_knowledge_or_exit(knowledge_dir(knowledge))))


@kb_app.command("from-national")
def kb_from_national(
    file: Annotated[Path, typer.Argument(help="National export (JSONL, may be .gz).")],
    outdir: Annotated[Path, typer.Argument(help="Directory for the procedure YAML files.")],
    verified_on: Annotated[
        str | None, typer.Option("--verified-on", help="YYYY-MM-DD (default today).")
    ] = None,
    codes: Annotated[
        str | None, typer.Option("--codes", help="Only these codes, comma-separated.")
    ] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace existing files.")] = False,
) -> None:
    """Convert procedures published on dichvucong.gov.vn into procedure YAML files."""
    from datetime import date

    from bot.importers.national import load_national, write_procedures

    try:
        day = date.fromisoformat(verified_on) if verified_on else date.today()
    except ValueError:
        typer.echo(f"--verified-on must be YYYY-MM-DD, not {verified_on!r}", err=True)
        raise typer.Exit(2) from None
    wanted = [c.strip() for c in codes.split(",") if c.strip()] if codes else None
    try:
        procedures = load_national(file, day, wanted)
    except KnowledgeError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"{len(exc.problems)} problem(s); nothing was written.", err=True)
        raise typer.Exit(1) from None
    written, kept = write_procedures(procedures, outdir, overwrite=overwrite)
    for path in kept:
        typer.echo(f"kept existing {path} (use --overwrite to replace)", err=True)
    typer.echo(f"wrote {len(written)} procedure file(s) to {outdir}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the newest version."""
    from bot.runtime import open_database

    async def main() -> None:
        engine, _ = await open_database(settings())
        await engine.dispose()
        typer.echo("database is up to date")

    run(main())
