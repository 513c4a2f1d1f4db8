"""Operating the web app: liveness and readiness, refusing updates while stopping, and a
graceful shutdown that still answers the update in flight."""

from __future__ import annotations

import asyncio
import dataclasses
import socket

import httpx

from bot.channels.web import TelegramWebhook, app_version, build_web_app
from bot.config import Settings
from bot.db.session import make_engine, make_sessionmaker
from bot.runtime import Runtime

from ..fakes.telegram_api import FakeTelegram, serve
from .telegram_dialog import SECRET, BotUnderTest, payload


async def test_ready_shows_versions_and_knowledge(bot: BotUnderTest) -> None:
    assert (await bot.http.get("/healthz")).json() == {"status": "ok"}
    ready = await bot.http.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ok" and body["version"] == app_version() != "unknown"
    assert body["knowledge_version"] >= 1 and body["procedures"] > 3


async def test_not_ready_without_database_or_knowledge(telegram_runtime: Runtime) -> None:
    nowhere = make_engine("postgresql+asyncpg://nobody@127.0.0.1:9/none")
    cut_off = Runtime(nowhere, make_sessionmaker(nowhere), telegram_runtime.assistant)
    async with _client(cut_off) as http:
        ready = await http.get("/readyz")
        assert ready.status_code == 503 and ready.json()["status"] == "database unavailable"
        assert (await http.get("/healthz")).status_code == 200  # the process itself is fine
    await nowhere.dispose()

    assistant = telegram_runtime.assistant
    assistant.reload(dataclasses.replace(assistant.knowledge, procedures=()))
    async with _client(telegram_runtime) as http:
        ready = await http.get("/readyz")
    assert ready.status_code == 503 and ready.json()["status"] == "no knowledge loaded"


async def test_updates_are_refused_while_the_bot_is_not_running(
    telegram_settings: Settings, telegram_runtime: Runtime, fake_telegram: FakeTelegram
) -> None:
    """Outside the app's lifespan (starting or stopping) an update gets 503: Telegram retries
    it later, or on another replica, instead of it being lost in a queue nobody reads."""
    webhook = TelegramWebhook(telegram_settings, telegram_runtime)
    transport = httpx.ASGITransport(build_web_app(telegram_runtime, [webhook]))
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        response = await http.post("/telegram", json=payload("message_text"), headers=headers)
    assert response.status_code == 503
    assert webhook.application.update_queue.empty() and not fake_telegram.calls


async def test_shutdown_finishes_the_update_in_flight(
    telegram_settings: Settings, telegram_runtime: Runtime, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.delays["sendMessage"] = 0.5  # Telegram is slow: the reply is still on its way
    webhook = TelegramWebhook(telegram_settings, telegram_runtime)
    async with serve(build_web_app(telegram_runtime, [webhook])) as url:
        bot = BotUnderTest(url, webhook.application, fake_telegram)
        update = payload("message_text")
        update["message"]["text"] = "khai báo máy x quang"
        assert (await bot.post(update)).status_code == 200
        await bot.http.aclose()
        assert not fake_telegram.calls_of("sendMessage")
    # leaving `serve` is uvicorn's SIGTERM path: stop accepting, then the lifespan ends
    sent = fake_telegram.calls_of("sendMessage")
    assert len(sent) == 1 and "X-quang" in sent[0].text  # the card, its survey under it
    assert not webhook.application.running


async def test_telegram_unreachable_at_start_up_does_not_stop_the_replica(
    telegram_settings: Settings, telegram_runtime: Runtime, fake_telegram: FakeTelegram
) -> None:
    """An outage (or a firewall) at start-up: the replica serves, refuses updates with 503
    (Telegram retries them) and takes them once Telegram answers, without a restart."""
    with socket.socket() as probe:  # a port nothing listens on yet
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    later = f"http://127.0.0.1:{port}/bot"
    settings = telegram_settings.model_copy(update={"telegram_base_url": later})
    webhook = TelegramWebhook(settings, telegram_runtime)
    webhook.retry_delay = 0.05
    update = payload("message_text")
    update["message"]["text"] = "khai báo máy x quang"
    async with serve(build_web_app(telegram_runtime, [webhook])) as url:
        bot = BotUnderTest(url, webhook.application, fake_telegram)
        ready = await bot.http.get("/readyz")
        assert ready.status_code == 200 and ready.json()["telegram"] == "connecting"
        assert (await bot.post(update)).status_code == 503
        async with serve(fake_telegram.app, port=port):  # Telegram is back
            for _ in range(200):
                if webhook.application.running:
                    break
                await asyncio.sleep(0.025)
            said = await bot.deliver(update)
            assert "X-quang" in said.text
            assert (await bot.http.get("/readyz")).json()["telegram"] == "ok"
        await bot.http.aclose()
    assert fake_telegram.calls_of("getMe") and not webhook.application.running


def _client(runtime: Runtime) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(build_web_app(runtime, []))
    return httpx.AsyncClient(transport=transport, base_url="http://bot")
