"""`staff`, `audit` and the audited `kb import` as operators run them: real processes."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from bot.config import Settings
from bot.db import repo
from bot.runtime import open_database
from bot.staff.edits import add_alias

from ..test_cli import cli


def test_staff_add_reads_the_password_from_stdin_and_refuses_bad_input(
    settings: Settings,
) -> None:
    done = cli("staff", "add", "lan", "--role", "editor", settings=settings, stdin="mat-khau-dai\n")
    assert done.returncode == 0, done.stderr
    assert "mat-khau-dai" not in done.stdout + done.stderr
    assert "lan" in cli("staff", "list", settings=settings).stdout
    again = cli("staff", "add", "lan", "--role", "editor", settings=settings, stdin="x" * 12)
    assert again.returncode == 1 and "already exists" in again.stderr
    short = cli("staff", "add", "minh", "--role", "viewer", settings=settings, stdin="ngan\n")
    assert short.returncode == 1 and "at least 8" in short.stderr
    role = cli("staff", "add", "minh", "--role", "admin", settings=settings, stdin="x" * 12)
    assert role.returncode == 1 and "role must be" in role.stderr


def test_kb_import_shows_before_after_and_is_audited(
    settings: Settings, knowledge_dir: Path
) -> None:
    assert cli("kb", "import", settings=settings).returncode == 0
    path = knowledge_dir / "procedures" / "1.000000.yaml"
    path.write_text(path.read_text("utf-8").replace("working_days: null", "working_days: 3"))
    dry = cli("kb", "import", "--dry-run", settings=settings)
    assert "~ 1.000000: processing_time" in dry.stdout
    assert '    processing_time: {"working_days": null' in dry.stdout
    assert '→ {"working_days": 3' in dry.stdout
    entries = json.loads(cli("audit", "--json", settings=settings).stdout)["entries"]
    assert not [e for e in entries if e["action"] == "update" and e["procedure_key"]]  # dry run
    assert cli("kb", "import", settings=settings).returncode == 0
    data = json.loads(cli("audit", "--json", settings=settings).stdout)
    assert data["version"] == 1
    assert {e["procedure_key"] for e in data["entries"] if e["action"] == "add"} >= {"1.000000"}
    updates = [e for e in data["entries"] if e["action"] == "update" and e["procedure_key"]]
    assert len(updates) == 1
    entry = updates[0]
    assert entry["source"] == "import" and entry["procedure_key"] == "1.000000"
    assert entry["changes"]["processing_time"]["after"]["working_days"] == 3
    assert entry["changes"]["processing_time"]["before"]["working_days"] is None
    assert entry["at"].endswith("Z") and isinstance(entry["id"], int)
    text = cli("audit", settings=settings).stdout
    assert "import" in text and "1.000000" in text and "processing_time:" in text
    assert (
        json.loads(cli("audit", "--json", "--since", "2999-01-01", settings=settings).stdout)[
            "entries"
        ]
        == []
    )
    bad = cli("audit", "--since", "hôm qua", settings=settings)
    assert bad.returncode == 2 and "--since" in bad.stderr


async def _staff_adds_alias(settings: Settings, key: str, alias: str) -> list[str]:
    """An editor's change through the same code path as /admin; returns the stored aliases."""
    engine, sessionmaker = await open_database(settings)
    try:
        async with sessionmaker.begin() as session:
            if alias:
                await add_alias(session, key=key, alias=alias, who="lan", source="admin")
            stored = {p.key: p for p in await repo.list_procedures(session)}
            return list(stored[key].aliases)
    finally:
        await engine.dispose()


def test_kb_import_keeps_what_staff_edited_unless_overwritten(settings: Settings) -> None:
    """Every deployment runs `kb import`: it must not undo an editor's change in /admin."""
    assert cli("kb", "import", settings=settings).returncode == 0
    asyncio.run(_staff_adds_alias(settings, "1.000000", "hỏi kiểu khác của cán bộ"))
    kept = cli("kb", "import", settings=settings)
    assert kept.returncode == 0, kept.stderr
    assert "! 1.000000: edited by staff since the last import, kept" in kept.stdout
    assert kept.stdout.strip().endswith("0 added, 0 updated, 0 removed, 1 kept")
    assert "hỏi kiểu khác của cán bộ" in asyncio.run(_staff_adds_alias(settings, "1.000000", ""))
    forced = cli("kb", "import", "--overwrite", settings=settings)
    assert "~ 1.000000: aliases" in forced.stdout and "1 updated" in forced.stdout
    assert "hỏi kiểu khác của cán bộ" not in asyncio.run(
        _staff_adds_alias(settings, "1.000000", "")
    )
    again = cli("kb", "import", settings=settings)  # the import is the latest change now
    assert again.stdout.strip().endswith("0 added, 0 updated, 0 removed")
