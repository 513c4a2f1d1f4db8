"""Channel fixtures: fake Telegram and Zalo servers, and the bot's real webhook app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr

from bot.channels.web import TelegramWebhook, build_web_app
from bot.config import Settings
from bot.core.calendar import TIMEZONE
from bot.runtime import Runtime, start

from ..fakes.telegram_api import TOKEN, FakeTelegram, serve
from ..fakes.zalo_api import FakeZalo
from .telegram_dialog import SECRET, STAFF_CHAT, BotUnderTest

# Wednesday 3 February 2027, 09:00 in Lạng Sơn: the day before the Tết 2027 holidays.
NOW = datetime(2027, 2, 3, 9, 0, tzinfo=TIMEZONE)


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    async with serve(fake.app) as url:
        fake.url = url  # type: ignore[attr-defined]
        yield fake


@pytest.fixture
async def fake_zalo() -> AsyncIterator[FakeZalo]:
    fake = FakeZalo()
    async with serve(fake.app) as url:
        fake.url = url  # type: ignore[attr-defined]
        yield fake


LONG_KEY = "9.000001"


def add_long_procedure(knowledge_dir: Path) -> None:
    """A procedure whose documents section is over 6,000 characters (message splitting)."""
    documents = [
        {
            "name": f"Tài liệu thuyết minh số {i} về quy trình thử nghiệm, hiệu chuẩn và kiểm định "
            f"phương tiện đo theo yêu cầu của đơn vị (bản sao có chứng thực)",
            "copies": 1,
        }
        for i in range(1, 61)
    ]
    procedure = {
        "code": LONG_KEY,
        "name": "Chỉ định tổ chức hiệu chuẩn chuẩn đo lường (dữ liệu thử rất dài)",
        "field": "Đo lường",
        "agency": "Sở Khoa học và Công nghệ",
        "processing_time": {"working_days": 20},
        "documents": documents,
        "source_url": "https://example.test/9.000001",
        "verified_on": "2026-01-01",
    }
    path = knowledge_dir / "procedures" / f"{LONG_KEY}.yaml"
    path.write_text(yaml.safe_dump(procedure, allow_unicode=True), encoding="utf-8")


@pytest.fixture
def telegram_settings(
    settings: Settings, fake_telegram: FakeTelegram, knowledge_dir: Path
) -> Settings:
    add_long_procedure(knowledge_dir)
    return settings.model_copy(
        update={
            "telegram_token": SecretStr(TOKEN),
            "telegram_base_url": f"{fake_telegram.url}/bot",  # type: ignore[attr-defined]
            "telegram_webhook_secret": SecretStr(SECRET),
            "staff_chat_id": STAFF_CHAT,
        }
    )


@pytest.fixture
async def telegram_runtime(telegram_settings: Settings) -> AsyncIterator[Runtime]:
    runtime = await start(telegram_settings)
    runtime.assistant.clock = lambda: NOW
    yield runtime
    await runtime.close()


@pytest.fixture
async def bot(
    telegram_settings: Settings, telegram_runtime: Runtime, fake_telegram: FakeTelegram
) -> AsyncIterator[BotUnderTest]:
    """`tthc-bot serve` in-process: the Starlette app on uvicorn, webhook mode."""
    webhook = TelegramWebhook(telegram_settings, telegram_runtime)
    app = build_web_app(telegram_runtime, [webhook])
    async with serve(app) as url:
        under_test = BotUnderTest(url, webhook.application, fake_telegram)
        yield under_test
        await under_test.http.aclose()
