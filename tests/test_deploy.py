"""The deployment files agree with the code: every setting in .env.example, and a compose file
that starts the database, then the migration, then two replicas.

Docker is not available where the tests run, so the compose file and Dockerfile are checked
as data (YAML, instructions), not by building or starting them; the proxy's Caddyfile is run
with Debian's caddy in front of the real web app.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

import httpx
import pytest
import yaml

from bot.channels.web import build_web_app
from bot.config import Settings
from bot.runtime import Runtime

from .fakes.telegram_api import serve

ROOT = Path(__file__).parent.parent
COMPOSE_ONLY = {"POSTGRES_PASSWORD", "DOMAIN"}  # read by docker-compose.yml, not by the bot
ASSIGNMENT = re.compile(r"^#? ?([A-Z][A-Z0-9_]*)=(.*)$")


def env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text("utf-8").splitlines()
    return {m[1]: m[2] for line in lines if (m := ASSIGNMENT.match(line))}


def test_env_example_lists_every_setting_with_a_comment() -> None:
    listed = env_example()
    fields = {name.upper() for name in Settings.model_fields}
    assert set(listed) - COMPOSE_ONLY == fields, "keep .env.example in sync with bot/config.py"
    lines = (ROOT / ".env.example").read_text("utf-8").splitlines()
    for at, line in enumerate(lines):
        if match := ASSIGNMENT.match(line):
            above = at - 1
            while ASSIGNMENT.match(lines[above]):  # a group of settings shares a comment
                above -= 1
            assert lines[above].startswith("# "), f"{match[1]} has no comment above it"


def test_env_example_values_are_valid_settings(tmp_path: Path) -> None:
    """The uncommented values load; production refuses the placeholder pseudonym key."""
    active = "\n".join(
        line
        for line in (ROOT / ".env.example").read_text("utf-8").splitlines()
        if not line.startswith("#")
    )
    env = tmp_path / ".env"
    env.write_text(active.replace("ENVIRONMENT=production", "ENVIRONMENT=development"), "utf-8")
    loaded = Settings(_env_file=env)  # type: ignore[call-arg]
    assert loaded.telegram_token is None and loaded.staff_chat_id is None  # blank = not set
    assert loaded.log_format == "json"


def test_compose_starts_database_then_migration_then_two_replicas() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))
    services = compose["services"]
    assert {"db", "migrate", "bot"} <= set(services)

    db = services["db"]
    assert db["image"].startswith("postgres:16") and "healthcheck" in db
    assert any(v.split(":")[0] in compose["volumes"] for v in db["volumes"])  # named volume

    migrate = services["migrate"]
    assert "tthc-bot db upgrade && tthc-bot kb import" in " ".join(migrate["command"])
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"

    bot = services["bot"]
    assert bot["command"][:2] == ["tthc-bot", "serve"] and "0.0.0.0" in bot["command"]
    assert bot["deploy"]["replicas"] == 2
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    for service in (migrate, bot):  # both from the one image, on the compose PostgreSQL
        assert service["build"] == "." and service["env_file"] == ".env"
        assert service["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert "@db:5432/" in service["environment"]["DATABASE_URL"]
    assert "ports" not in bot  # replicas share no host port; the proxy reaches them
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text("utf-8")
    assert caddyfile.count("dynamic a {$BOT_HOST:bot} {$BOT_PORT:8080}") == 1


def test_dockerfile_final_stage_is_slim_unprivileged_and_checks_health() -> None:
    text = (ROOT / "Dockerfile").read_text("utf-8")
    stages = re.split(r"^FROM ", text, flags=re.M)[1:]
    assert len(stages) == 2, "a build stage and a final stage"
    final = stages[-1]
    assert final.startswith("python:3.12-slim")
    assert not re.search(r"apt-get|gcc|build-essential", final)
    assert "--no-index --find-links=/wheels tthc-bot" in final  # the wheel, offline
    assert re.search(r"^USER (?!root)\w+", final, flags=re.M)
    assert "HEALTHCHECK" in final and "/healthz" in final
    assert '"serve"' in final


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(shutil.which("caddy") is None, reason="Debian's caddy is not installed")
async def test_caddy_serves_zalo_verification_and_proxies_to_the_replicas(
    runtime: Runtime, tmp_path: Path
) -> None:
    """The real deploy/Caddyfile in front of the real web app (plain HTTP on loopback)."""
    (tmp_path / "zalo_verifierABC123.html").write_text("<html>zalo-verifier</html>", "utf-8")
    port = free_port()
    env = {
        **os.environ,
        "DOMAIN": f"http://127.0.0.1:{port}",
        "PUBLIC_DIR": str(tmp_path),
        "CADDY_ADMIN": f"127.0.0.1:{free_port()}",
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    async with serve(build_web_app(runtime, [])) as bot_url:
        env["BOT_HOST"], env["BOT_PORT"] = "127.0.0.1", bot_url.rsplit(":", 1)[1]
        command = ["caddy", "run", "--config", "deploy/Caddyfile", "--adapter", "caddyfile"]
        caddy = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                for _ in range(100):
                    try:
                        health = await http.get("/healthz")
                        break
                    except httpx.TransportError:
                        await asyncio.sleep(0.1)
                assert health.status_code == 200 and health.json() == {"status": "ok"}
                verifier = await http.get("/zalo_verifierABC123.html")
                assert verifier.status_code == 200 and "zalo-verifier" in verifier.text
                assert (await http.get("/zalo_verifierOTHER.html")).status_code == 404
                assert (await http.get("/README.md")).status_code == 404  # only the verifier
        finally:
            caddy.terminate()
            caddy.wait(timeout=10)
