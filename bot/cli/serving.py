"""Running the bot: Telegram long polling, webhook registration, the ASGI server.

Once started, a bot freezes what start-up built (modules, knowledge base, the matcher's index,
~140k objects) with `gc.freeze()`: each full cyclic-GC collection would otherwise rescan them,
~40 ms on the dev machine, which showed as p99 stalls of 27–60 ms in bench/load.py.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Coroutine
from typing import Annotated, Any

import typer

from bot.cli.base import (
    app,
    run,
    settings,
)
from bot.config import Settings

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
    from telegram.error import InvalidToken, TelegramError

    try:
        return run(coroutine)
    except InvalidToken:  # PTB's message quotes the token itself: never print it
        typer.echo("Telegram: the token was rejected (check TELEGRAM_TOKEN)", err=True)
        raise typer.Exit(2) from None
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
        watcher = KnowledgeWatcher(
            runtime.sessionmaker, runtime.assistant, version=runtime.knowledge_version
        )
        gc.freeze()  # start-up objects out of the cyclic GC's scans (see module docstring)
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
            gc.freeze()  # start-up objects out of the cyclic GC's scans (see module docstring)
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
