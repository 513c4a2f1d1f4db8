"""Telegram around the happy path: webhook security, commands, browsing, bad input, errors."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import select, text

from bot.channels.telegram import ALLOWED_UPDATES, run_polling, set_webhook
from bot.channels.telegram_http import POOL_SIZE
from bot.channels.web import TelegramWebhook, build_web_app
from bot.config import Settings
from bot.db.models import Interaction
from bot.runtime import Runtime

from ..fakes.telegram_api import FakeTelegram, serve
from .telegram_dialog import SECRET, STAFF_CHAT, BotUnderTest, payload


async def test_webhook_needs_the_secret(bot: BotUnderTest) -> None:
    update = payload("message_text")
    assert (await bot.post(update, secret=None)).status_code == 403
    assert (await bot.post(update, secret="wrong-secret")).status_code == 403
    await bot.application.update_queue.join()
    assert not bot.fake.calls_of("sendMessage")  # rejected updates are never processed
    bad = await bot.http.post(
        "/telegram", content=b"{not json", headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    assert bad.status_code == 400
    assert (await bot.post(update, secret=SECRET)).status_code == 200
    await bot.application.update_queue.join()
    assert bot.fake.calls_of("sendMessage")
    health = await bot.http.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}


async def test_many_answers_at_once_share_a_few_connections(bot: BotUnderTest) -> None:
    """Forty citizens at once over a slow Bot API: every one is answered, over at most
    POOL_SIZE connections (httpcore's cost per request grows with its pool)."""
    bot.fake.delays["sendMessage"] = 0.3  # the sends overlap, as when Telegram is slow
    citizens = [bot.citizen(700_000_000 + i) for i in range(40)]
    updates = []
    for citizen in citizens:
        update = citizen._private(payload("message_text"))
        update["message"]["text"] = "khai báo máy x quang"
        updates.append(update)
    for response in await asyncio.gather(*(bot.post(u) for u in updates)):
        assert response.status_code == 200
    await bot.application.update_queue.join()
    sent = bot.fake.calls_of("sendMessage")
    assert {c.chat_id for c in sent} == {c.user_id for c in citizens}
    assert 1 < len({c.connection for c in sent}) <= POOL_SIZE < len(citizens)


async def test_the_command_menu_is_published(bot: BotUnderTest) -> None:
    [call] = bot.fake.calls_of("setMyCommands")
    commands = call.json("commands")
    assert [c["command"] for c in commands] == ["start", "linhvuc", "tim", "lienhe", "help"]
    assert all(3 <= len(c["description"]) <= 256 for c in commands)
    assert "/tim x quang" in commands[2]["description"]


async def test_a_rejected_menu_does_not_stop_the_bot(
    telegram_settings: Settings,
    telegram_runtime: Runtime,
    fake_telegram: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_telegram.reject_next("setMyCommands")
    webhook = TelegramWebhook(telegram_settings, telegram_runtime)
    async with serve(build_web_app(telegram_runtime, [webhook])) as url:
        bot = BotUnderTest(url, webhook.application, fake_telegram)
        said = await bot.citizen().says("khai bao may x quang")
        await bot.http.aclose()
    assert "X-quang" in said.text
    assert "could not publish the command menu" in caplog.text


async def test_commands_and_browsing(bot: BotUnderTest, telegram_runtime: Runtime) -> None:
    lan = bot.citizen()
    start = await lan.says("/start")
    assert "Ví dụ:" in start.text and start.text.count("\n• ") >= 3 and "/linhvuc" in start.text
    assert "/tim" in (await lan.says("/help")).text
    assert "0200 000 000" in (await lan.says("/lienhe")).text
    assert "/linhvuc" in (await lan.says("/khongco")).text  # unknown command: the help

    fields = await lan.says("/linhvuc")
    assert any("An toàn bức xạ và hạt nhân (3)" in label for label in fields.labels)
    field = await lan.taps("An toàn bức xạ")
    assert "3 thủ tục" in field.text and "↩️ Các lĩnh vực" in field.labels
    card = await lan.taps("Khai báo thiết bị X-quang")
    assert card.messages[0].text.startswith("<b>Khai báo thiết bị X-quang")
    assert "🙂" in card.labels  # a browsed card is an answer: it gets the survey

    found = await lan.says("/tim gia han")
    assert "Gia hạn giấy phép tiến hành công việc bức xạ (X-quang chẩn đoán y tế)" in found.labels
    assert not any("Khai báo" in label for label in found.labels)
    assert "ví dụ" in (await lan.says("/tim")).text

    async with telegram_runtime.sessionmaker() as session:
        outcomes = (await session.scalars(select(Interaction.outcome))).all()
    assert outcomes == ["browse"]  # commands are not questions; the browsed card is recorded


async def test_non_text_messages_get_a_polite_answer(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    lan = bot.citizen()
    for fixture in ("sticker", "photo", "voice", "location", "document"):
        said = await lan.sends(fixture)
        assert "chỉ hỗ trợ câu hỏi bằng chữ" in said.text, fixture
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_edits_and_group_chats_are_ignored(
    bot: BotUnderTest, telegram_runtime: Runtime
) -> None:
    lan = bot.citizen()
    assert not (await lan.sends("edited_message")).calls
    assert not (await bot.deliver(payload("group_message"))).calls
    long = await lan.says("x" * 4096)  # the longest message Telegram allows
    assert long.messages
    async with telegram_runtime.sessionmaker() as session:
        questions = (await session.scalars(select(Interaction.question))).all()
    assert len(questions) == 1 and len(questions[0] or "") == 1000  # MAX_QUESTION_CHARS


async def test_stale_buttons(bot: BotUnderTest, telegram_runtime: Runtime) -> None:
    lan = bot.citizen()
    gone = await lan.taps_data("sec:9.999999:docs")
    assert "thay đổi" in gone.text and not gone.labels
    changed = await lan.taps_data("sec:2.002131:oldsection")
    assert "đã thay đổi" in changed.text and "Khai báo thiết bị X-quang" in changed.text
    assert "📄 Hồ sơ cần nộp" in changed.labels  # the current card
    old_survey = await lan.taps_data("fb:99999:5")
    assert "đã kết thúc" in old_survey.text
    # A code was published for a procedure that had a slug key: old buttons still work.
    assistant = telegram_runtime.assistant
    kb = assistant.knowledge
    slug_key = "gia-han-giay-phep-tien-hanh-cong-3da893"
    renamed = tuple(
        p.model_copy(update={"code": "1.999999"}) if p.key == slug_key else p for p in kb.procedures
    )
    assistant.reload(type(kb)(renamed, kb.agency, kb.synonyms))
    moved = await lan.taps_data(f"sec:{slug_key}:docs")
    assert "mới nhất" in moved.text and "Gia hạn giấy phép" in moved.text
    assert any("sec:1.999999:" in b.get("callback_data", "") for b in moved.messages[-1].buttons())


async def test_errors_are_logged_reported_and_apologised(
    bot: BotUnderTest, telegram_runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    async with telegram_runtime.engine.begin() as connection:  # break storage for real
        await connection.execute(text("DROP TABLE feedback"))
        await connection.execute(text("DROP TABLE handoffs"))
        await connection.execute(text("DROP TABLE interactions"))
    said = await bot.citizen().says("khai bao may x quang")
    assert "Trợ lý gặp lỗi" in said.to(STAFF_CHAT).text
    assert "hệ thống đang gặp sự cố" in said.to(555000111).text
    assert any(r.levelno == logging.ERROR for r in caplog.records)
    assert "TEST-token" not in caplog.text


async def test_long_polling(
    telegram_settings: Settings, telegram_runtime: Runtime, fake_telegram: FakeTelegram
) -> None:
    stop = asyncio.Event()
    polling = asyncio.create_task(run_polling(telegram_settings, telegram_runtime, stop))
    fake_telegram.queue_update(payload("message_text"))
    for _ in range(200):
        if fake_telegram.calls_of("sendMessage"):
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(polling, 10)
    assert fake_telegram.calls_of("deleteWebhook")  # polling removes a webhook first
    [first_poll, *_] = fake_telegram.calls_of("getUpdates")
    assert first_poll.json("allowed_updates") == ALLOWED_UPDATES
    assert "X-quang" in fake_telegram.calls_of("sendMessage")[0].text
    assert fake_telegram.calls_of("setMyCommands")  # the menu, in polling mode too


async def test_set_webhook_sends_the_secret(
    telegram_settings: Settings, fake_telegram: FakeTelegram
) -> None:
    assert await set_webhook(telegram_settings, "https://bot.example.vn/telegram")
    [call] = fake_telegram.calls_of("setWebhook")
    assert call.params["url"] == "https://bot.example.vn/telegram"
    assert call.params["secret_token"] == SECRET
