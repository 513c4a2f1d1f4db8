"""`tthc-bot serve`, `tthc-bot telegram` and `telegram set-webhook` as real processes."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import httpx

from bot.config import Settings

from ..fakes.telegram_api import TOKEN, FakeTelegram
from .telegram_dialog import SECRET, payload


def environment(settings: Settings, fake: FakeTelegram, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM")}
    return env | {
        "DATABASE_URL": settings.database_url,
        "KNOWLEDGE_DIR": str(settings.knowledge_dir),
        "PSEUDONYM_KEY": "cli-test-key",
        "TELEGRAM_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": f"{fake.url}/bot",  # type: ignore[attr-defined]
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        **extra,
    }


async def bot_process(*args: str, env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_serve_answers_webhook_and_health(
    settings: Settings, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    port = free_port()
    env = environment(settings, fake_telegram)
    process = await bot_process("serve", "--port", str(port), env=env, cwd=tmp_path)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            for _ in range(200):
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("serve did not start")
            update = payload("message_text")
            assert (await http.post("/telegram", json=update)).status_code == 403
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            assert (await http.post("/telegram", json=update, headers=headers)).status_code == 200
            for _ in range(100):
                if fake_telegram.calls_of("sendMessage"):
                    break
                await asyncio.sleep(0.1)
        assert "X-quang" in fake_telegram.calls_of("sendMessage")[0].text
    finally:
        process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert TOKEN not in stderr.decode()  # the token never reaches the log


async def test_polling_process_and_set_webhook(
    settings: Settings, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    env = environment(settings, fake_telegram)
    setter = await bot_process(
        "telegram", "set-webhook", "https://bot.example.vn/telegram", env=env, cwd=tmp_path
    )
    await asyncio.wait_for(setter.communicate(), 30)
    assert setter.returncode == 0
    assert fake_telegram.webhook_url == "https://bot.example.vn/telegram"

    fake_telegram.queue_update(payload("message_text"))
    process = await bot_process("telegram", env=env, cwd=tmp_path)
    try:
        for _ in range(300):
            if fake_telegram.calls_of("sendMessage"):
                break
            await asyncio.sleep(0.1)
    finally:
        process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert fake_telegram.webhook_url is None  # polling removed the webhook first
    assert "X-quang" in fake_telegram.calls_of("sendMessage")[0].text
    assert process.returncode == 0 and TOKEN not in stderr.decode()


async def test_missing_settings_are_one_clear_line(
    settings: Settings, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    env = environment(settings, fake_telegram)
    del env["TELEGRAM_WEBHOOK_SECRET"]
    process = await bot_process("serve", env=env, cwd=tmp_path)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert stderr.decode().strip() == "Missing setting(s): TELEGRAM_WEBHOOK_SECRET"


async def test_a_refused_token_is_one_line_without_the_token(
    settings: Settings, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    """A wrong token stops the start (a setting to fix); PTB's own message quotes it."""
    wrong = "999999:WRONG-token-never-printed"
    env = environment(settings, fake_telegram, TELEGRAM_TOKEN=wrong)
    process = await bot_process("serve", "--port", str(free_port()), env=env, cwd=tmp_path)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode != 0
    assert "Telegram rejected TELEGRAM_TOKEN" in stderr.decode()
    assert wrong not in stderr.decode()
