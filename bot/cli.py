"""Command-line interface (Typer): chat, ask, match, kb …, db upgrade."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.config import Settings, SettingsError, get_settings
from bot.db.session import DatabaseUnavailable
from bot.knowledge import KnowledgeError

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


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine, turning expected failures into clear messages and exit codes."""
    try:
        return asyncio.run(coroutine)
    except KnowledgeError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"{len(exc.problems)} problem(s); nothing was changed.", err=True)
        raise typer.Exit(1) from None
    except DatabaseUnavailable as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


def knowledge_dir(option: Path | None) -> Path:
    return option if option is not None else settings().knowledge_dir


KnowledgeOption = Annotated[
    Path | None, typer.Option("--knowledge", help="Knowledge directory (default KNOWLEDGE_DIR).")
]


# ---------------------------------------------------------------- chat


@app.command()
def chat() -> None:
    """Chat in the terminal (SQLite by default, seeded from knowledge/ on first run)."""
    from bot.channels.console import run_console
    from bot.runtime import start

    async def main() -> None:
        runtime = await start(settings())
        try:
            await run_console(runtime.assistant, sys.stdin, sys.stdout)
        finally:
            await runtime.close()

    run(main())


@app.command()
def ask(question: str) -> None:
    """Ask one question and print the answer."""
    from bot.channels.console import render
    from bot.core.messages import Incoming
    from bot.runtime import start

    async def main() -> None:
        runtime = await start(settings())
        try:
            for reply in await runtime.assistant.handle(Incoming("console", "cli", question)):
                typer.echo(render(reply) + "\n")
        finally:
            await runtime.close()

    run(main())


@app.command()
def match(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    knowledge: KnowledgeOption = None,
) -> None:
    """Match questions from standard input, one per line, against the knowledge files."""
    from bot.core.matcher import Matcher
    from bot.knowledge import load_knowledge

    try:
        kb = load_knowledge(knowledge_dir(knowledge))
    except KnowledgeError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(1) from None
    matcher = Matcher(kb.procedures, kb.synonyms, settings().thresholds())
    for line in sys.stdin:
        result = matcher.search(line.rstrip("\n"))
        results = [
            {"code": m.procedure.code, "name": m.procedure.name, "score": m.score}
            for m in result.matches[:5]
        ]
        if as_json:
            record = {
                "query": line.rstrip("\n"),
                "outcome": result.outcome,
                "aspect": result.aspect,
                "results": results,
            }
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            best = results[0] if results else {"code": None, "name": "-", "score": 0.0}
            sys.stdout.write(
                f"{result.outcome:9} {best['score']:.3f} {best['code'] or '-':9} {best['name']}\n"
            )
        sys.stdout.flush()


# ---------------------------------------------------------------- knowledge


@kb_app.command("validate")
def kb_validate(directory: Annotated[Path | None, typer.Argument()] = None) -> None:
    """Check every knowledge file; print file:line: field: problem for each error."""
    from bot.knowledge import load_knowledge

    path = knowledge_dir(directory)
    try:
        kb = load_knowledge(path)
    except KnowledgeError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"{len(exc.problems)} problem(s) in {path}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"OK: {len(kb.procedures)} procedures, {len(kb.synonyms)} synonyms in {path}")


@kb_app.command("import")
def kb_import(
    directory: Annotated[Path | None, typer.Argument()] = None,
    jsonl: Annotated[
        Path | None, typer.Option("--jsonl", help="Import procedures from a JSONL file.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show changes only.")] = False,
) -> None:
    """Load knowledge files into the database: adds, updates, removes; prints what changed."""
    from bot.kb_commands import import_knowledge

    run(import_knowledge(settings(), knowledge_dir(directory), jsonl=jsonl, dry_run=dry_run))


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
    from bot.knowledge import load_knowledge

    try:
        kb = load_knowledge(knowledge_dir(knowledge))
    except KnowledgeError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(1) from None
    typer.echo(stats_text(kb))


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


# ---------------------------------------------------------------- database


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the newest version."""
    from bot.runtime import open_database

    async def main() -> None:
        engine, _ = await open_database(settings())
        await engine.dispose()
        typer.echo("database is up to date")

    run(main())


# ---------------------------------------------------------------- reports and privacy


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
    """Delete question texts and comments older than DAYS; the counts reports use stay."""
    from bot.reports.command import purge

    typer.echo(run(purge(settings(), older_than)))


# ---------------------------------------------------------------- telegram and web

telegram_app = typer.Typer(help="Telegram bot: long polling (default), webhook registration.")
app.add_typer(telegram_app, name="telegram")


def _serving_settings(*, webhook: bool) -> Settings:
    """Settings checked for a running bot: one clear line and exit 2 when something is missing."""
    from bot.logging_setup import configure

    current = settings()
    missing = [
        name
        for name, value in (
            ("TELEGRAM_TOKEN", current.telegram_token),
            ("TELEGRAM_WEBHOOK_SECRET", current.telegram_webhook_secret if webhook else True),
        )
        if value is None
    ]
    if missing:
        typer.echo(f"Missing setting(s): {', '.join(missing)}", err=True)
        raise typer.Exit(2)
    configure(current)  # LOG_FORMAT=json: one JSON object per line
    return current


def run_bot(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """`run`, plus Telegram refusing the token or being unreachable: one line, exit 2."""
    from telegram.error import TelegramError

    try:
        return run(coroutine)
    except TelegramError as exc:
        typer.echo(f"Telegram: {exc}", err=True)
        raise typer.Exit(2) from None


@telegram_app.callback(invoke_without_command=True)
def telegram(ctx: typer.Context) -> None:
    """Run the Telegram bot with long polling (no public URL needed); Ctrl+C stops it."""
    if ctx.invoked_subcommand is not None:
        return
    import signal

    from bot.channels.telegram import run_polling
    from bot.runtime import start
    from bot.staff.reload import KnowledgeWatcher

    current = _serving_settings(webhook=False)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        runtime = await start(current)
        watcher = KnowledgeWatcher(runtime.sessionmaker, runtime.assistant)
        try:
            async with watcher.running():  # knowledge edits reach this bot within seconds
                await run_polling(current, runtime, stop)
        finally:
            await runtime.close()

    run_bot(main())


@telegram_app.command("set-webhook")
def telegram_set_webhook(url: str) -> None:
    """Tell Telegram to post updates to URL (the /telegram path of `tthc-bot serve`)."""
    from bot.channels.telegram import set_webhook

    current = _serving_settings(webhook=True)
    run_bot(set_webhook(current, url))
    typer.echo(f"webhook set to {url}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="Log every HTTP request.")
    ] = False,
) -> None:
    """Serve the web app: POST /telegram (webhook), /admin (staff), GET /healthz, /readyz."""
    import logging

    import uvicorn

    from bot.channels.web import build_web_app, components
    from bot.logging_setup import configure
    from bot.runtime import start

    current = settings()
    if current.telegram_token is not None:
        current = _serving_settings(webhook=True)
    configure(current)
    if current.session_secret is None:
        logging.getLogger(__name__).warning(
            "admin web (/admin) is off: set SESSION_SECRET to enable it"
        )

    async def main() -> None:
        runtime = await start(current)
        try:
            web = build_web_app(runtime, components(current, runtime))
            config = uvicorn.Config(
                web,
                host=host,
                port=port,
                proxy_headers=True,
                lifespan="on",
                log_config=None,  # uvicorn's records go through our handler (JSON, redaction)
                access_log=access_log,
            )
            await uvicorn.Server(config).serve()  # SIGTERM: stop accepting, finish, lifespan
        finally:
            await runtime.close()

    run_bot(main())


# ---------------------------------------------------------------- staff and audit

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
