"""The command line as users and other tools run it: real processes, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.config import Settings
from tests.conftest import REAL_KNOWLEDGE

EVAL_DIR = Path(__file__).parent / "eval"


def cli(
    *args: str,
    settings: Settings | None = None,
    stdin: str = "",
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM")}
    if settings is not None:
        environment |= {
            "DATABASE_URL": settings.database_url,
            "KNOWLEDGE_DIR": str(settings.knowledge_dir),
            "PSEUDONYM_KEY": settings.pseudonym_key.get_secret_value(),
        }
    environment |= env or {}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=60,
    )


def test_ask_prints_the_card(settings: Settings) -> None:
    done = cli("ask", "thủ tục khai báo máy x quang", settings=settings)
    assert done.returncode == 0, done.stderr
    assert "== Khai báo thiết bị X-quang chẩn đoán trong y tế ==" in done.stdout
    assert "[1] 📄 Hồ sơ cần nộp" in done.stdout


def test_chat_on_embedded_default_creates_seeds_and_answers(tmp_path: Path) -> None:
    knowledge = Path(__file__).parent / "fixtures" / "knowledge"
    env = {"KNOWLEDGE_DIR": str(knowledge), "DATABASE_URL": ""}
    env = {k: v for k, v in env.items() if v}
    os.environ.pop("DATABASE_URL", None)
    done = cli("chat", stdin="xin gia hạn gp bức xạ\n2\nthoát\n", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "data" / "tthc-bot.sqlite3").exists()
    assert "== Gia hạn giấy phép" in done.stdout
    assert "⏱ Thời hạn giải quyết: 10 ngày làm việc" in done.stdout  # "2" tapped Thời hạn
    assert "Tạm biệt" in done.stdout


def test_kb_import_refuses_invalid_files_and_changes_nothing(
    settings: Settings, knowledge_dir: Path
) -> None:
    assert cli("kb", "import", settings=settings).returncode == 0
    bad = knowledge_dir / "procedures" / "1.000000.yaml"
    bad.write_text(bad.read_text("utf-8").replace("name: Tiếp nhận", "nam: Tiếp nhận"), "utf-8")
    (knowledge_dir / "procedures" / "2.002131.yaml").unlink()
    done = cli("kb", "import", settings=settings)
    assert done.returncode == 1
    assert f"{bad}:2: nam: unknown field" in done.stderr
    assert f"{bad}:1: name: Field required" in done.stderr
    again = cli(
        "kb",
        "import",
        "--dry-run",
        str(Path(__file__).parent / "fixtures" / "knowledge"),
        settings=settings,
    )
    assert "0 added, 0 updated, 0 removed" in again.stdout  # the database kept everything


def test_kb_import_prints_changes_and_export_round_trips(
    settings: Settings, knowledge_dir: Path, tmp_path: Path
) -> None:
    first = cli("kb", "import", settings=settings)
    assert "+ 2.002131" in first.stdout and "4 added" in first.stdout
    path = knowledge_dir / "procedures" / "1.000000.yaml"
    path.write_text(path.read_text("utf-8").replace("working_days: null", "working_days: 3"))
    dry = cli("kb", "import", "--dry-run", settings=settings)
    assert "~ 1.000000: processing_time" in dry.stdout and "dry run" in dry.stdout
    again = cli("kb", "import", "--dry-run", settings=settings)  # the dry run wrote nothing
    assert "1 updated" in again.stdout
    assert cli("kb", "import", settings=settings).returncode == 0
    assert cli("kb", "export", str(tmp_path / "one"), settings=settings).returncode == 0
    assert cli("kb", "import", str(tmp_path / "one"), settings=settings).stdout.startswith(
        "0 added"
    )
    assert cli("kb", "export", str(tmp_path / "two"), settings=settings).returncode == 0
    blocked = tmp_path / "a-file"  # a folder that cannot be made (even by root)
    blocked.write_text("not a folder")
    refused = cli("kb", "export", str(blocked / "kb"), settings=settings)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith(f"cannot write {blocked / 'kb'}")
    for first_file in (tmp_path / "one").rglob("*.yaml"):
        assert (
            first_file.read_bytes()
            == (tmp_path / "two" / first_file.relative_to(tmp_path / "one")).read_bytes()
        )
    jsonl = tmp_path / "out.jsonl"
    assert cli("kb", "export", "--format", "jsonl", str(jsonl), settings=settings).returncode == 0
    assert len(jsonl.read_text("utf-8").splitlines()) == 4
    assert (
        "0 added, 0 updated, 0 removed"
        in cli("kb", "import", "--jsonl", str(jsonl), settings=settings).stdout
    )


def test_unreachable_database_is_one_clear_line(knowledge_dir: Path) -> None:
    done = cli(
        "ask",
        "x quang",
        env={
            "DATABASE_URL": "postgresql+asyncpg://nobody:secretpw@127.0.0.1:1/none",
            "KNOWLEDGE_DIR": str(knowledge_dir),
        },
    )
    assert done.returncode == 2
    assert done.stderr.startswith("Cannot reach the database postgresql+asyncpg://nobody:***@")
    assert len(done.stderr.strip().splitlines()) == 1 and "secretpw" not in done.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", "mysql://x", "DATABASE_URL: Value error, must start with"),
        ("MAX_QUESTION_CHARS", "lots", "MAX_QUESTION_CHARS: Input should be a valid integer"),
    ],
)
def test_bad_setting_is_one_clear_line(name: str, value: str, message: str) -> None:
    done = cli("ask", "x", env={name: value})
    assert done.returncode == 2 and message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_match_json_contract_and_bad_input(knowledge_dir: Path) -> None:
    lines = [
        "khai bao may x quang",
        "",
        "x" * 100_000,
        "\x00\x07 ctrl",
        "🙂🙂🙂",
        "<b>hợp quy</b> **bold**",
        "'; DROP TABLE procedures; --",
        "Khai ba\u0301o thie\u0302\u0301t bi\u0323 X quang",
    ]
    done = cli("match", "--json", "--knowledge", str(knowledge_dir), stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    records = [json.loads(x) for x in done.stdout.splitlines()]
    assert [r["query"] for r in records] == lines
    for record in records:
        assert set(record) == {"query", "outcome", "aspect", "results"}
        assert record["outcome"] in {"answer", "clarify", "fallback", "smalltalk"}
        assert len(record["results"]) <= 5
        assert all(set(r) == {"code", "name", "score"} for r in record["results"])
    assert records[0]["results"][0]["code"] == "2.002131"
    assert records[5]["results"][0]["code"] == "1.000000"
    assert records[7]["outcome"] == "answer" and records[7]["results"][0]["code"] == "2.002131"


def test_match_json_is_the_same_in_every_process() -> None:
    """Python salts string hashes per process: rankings must not depend on set order, or two
    replicas (and two runs of an evaluation) would disagree on ties. Real knowledge base, every
    dev question, including questions of other agencies whose candidates are near ties."""
    questions = yaml.safe_load((EVAL_DIR / "questions.yaml").read_text("utf-8"))
    stdin = "\n".join(q["q"] for q in questions["questions"]) + "\n"
    runs = [
        cli(
            "match",
            "--json",
            "--knowledge",
            str(REAL_KNOWLEDGE),
            stdin=stdin,
            env={"PYTHONHASHSEED": seed},
        )
        for seed in ("1", "2")
    ]
    assert all(run.returncode == 0 for run in runs), runs[0].stderr
    assert runs[0].stdout.count("\n") == len(questions["questions"])
    assert runs[0].stdout == runs[1].stdout


def test_kb_stats_reports_gaps(knowledge_dir: Path) -> None:
    done = cli("kb", "stats", "--knowledge", str(knowledge_dir))
    assert done.returncode == 0, done.stderr
    assert "4 procedures" in done.stdout
    assert "Missing fees (1):" in done.stdout and "gia-han-giay-phep" in done.stdout
    assert "Verified more than 12 months ago" in done.stdout
