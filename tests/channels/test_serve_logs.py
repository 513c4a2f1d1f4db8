"""`tthc-bot serve` as a process with LOG_FORMAT=json: every line of its log is one JSON
object, and neither the token nor a citizen's chat id appears in it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx

from bot.config import Settings

from ..fakes.telegram_api import TOKEN, FakeTelegram
from .telegram_dialog import SECRET, payload
from .test_telegram_cli import bot_process, environment, free_port


async def test_json_logs_without_secrets_or_chat_ids(
    settings: Settings, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    port = free_port()
    env = environment(settings, fake_telegram, LOG_FORMAT="json", LOG_LEVEL="DEBUG")
    process = await bot_process("serve", "--port", str(port), "--access-log", env=env, cwd=tmp_path)
    update = payload("message_text")
    chat_id = str(update["message"]["chat"]["id"])
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            for _ in range(200):
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("serve did not become ready")
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            assert (await http.post("/telegram", json=update, headers=headers)).status_code == 200
            for _ in range(100):
                if fake_telegram.calls_of("sendMessage"):
                    break
                await asyncio.sleep(0.1)
    finally:
        process.terminate()  # SIGTERM, as `docker compose stop` sends
        _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert fake_telegram.calls_of("sendMessage")
    text = stderr.decode()
    records = [json.loads(line) for line in text.splitlines()]  # fails on any other line
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    messages = [r["message"] for r in records]
    assert "admin web (/admin) is off: set SESSION_SECRET to enable it" in messages
    assert any("POST /telegram" in m for m in messages)  # --access-log, through our handler
    assert "Application shutdown complete." in messages  # the graceful path ran
    assert TOKEN not in text and TOKEN.split(":")[1] not in text
    assert chat_id not in text  # not even at DEBUG: PTB's update dumps stay off
