"""Staff commands in Telegram: /thongke and /chuatraloi for ADMIN_IDS only."""

from __future__ import annotations

import pytest

from bot.config import Settings

from .telegram_dialog import BotUnderTest

ADMIN = 700100200


@pytest.fixture
def telegram_settings(telegram_settings: Settings) -> Settings:
    return telegram_settings.model_copy(update={"admin_ids": [ADMIN]})


async def test_admin_gets_figures_and_unanswered_others_get_the_usual_reply(
    bot: BotUnderTest,
) -> None:
    citizen, staff = bot.citizen(555000111), bot.citizen(ADMIN)
    assert "Khai báo thiết bị X-quang" in (await citizen.says("khai báo máy x quang")).text
    await citizen.says("xin cấp thẻ đo liều cá nhân")
    await bot.citizen(555000222).says("Xin cap the do lieu ca nhan")

    stats = (await staff.says("/thongke")).text
    assert "Hôm nay" in stats and "Tuần này" in stats
    assert "3 câu hỏi — trả lời được 1" in stats and "chưa trả lời được 2" in stats

    unanswered = (await staff.says("/chuatraloi")).text
    assert "1. xin cấp thẻ đo liều cá nhân — 2 lần" in unanswered

    for command in ("/thongke", "/chuatraloi"):
        said = (await citizen.says(command)).text
        assert "Hôm nay" not in said and "đo liều" not in said
        assert "Cách dùng" in said  # the normal answer to a command it does not know
