"""Conversation commands: chat in the terminal, ask once, match (evaluation contract)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from bot.cli.base import (
    KnowledgeOption,
    app,
    knowledge_dir,
    load_knowledge_or_exit,
    run,
    settings,
)


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

    kb = load_knowledge_or_exit(knowledge_dir(knowledge))
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
