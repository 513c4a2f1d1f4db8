"""A change asked (cấp lại, gia hạn, sửa đổi) that no procedure offers: the closest procedure
is answered, with a note saying it does not mention that change — not passed off as one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels.console import ConsoleChat
from bot.core.matcher import Matcher
from bot.knowledge import load_knowledge
from bot.runtime import Runtime

from ..conftest import REAL_KNOWLEDGE

KB = load_knowledge(REAL_KNOWLEDGE)
MATCHER = Matcher(KB.procedures, KB.synonyms)
TRANSFER = "cap-giay-chung-nhan-dang-ky-44a632"  # technology transfer: no reissue in the base


@pytest.fixture
def knowledge_dir() -> Path:
    return REAL_KNOWLEDGE  # read only: the test never edits it


@pytest.mark.parametrize(
    ("question", "key", "unoffered"),
    [
        (
            "mất giấy chứng nhận đăng ký chuyển giao công nghệ thì làm thế nào",
            TRANSFER,
            {"reissue"},
        ),
        ("mat giay chung nhan dang ky chuyen giao cong nghe", TRANSFER, {"reissue"}),
        ("chứng chỉ nhân viên bức xạ hết hạn thì sao", "1.000173", {"extend"}),
        ("giấy phép bưu chính bị mất", "1.004379", set()),  # its reissue exists
        ("đăng ký chuyển giao công nghệ", TRANSFER, set()),  # no change asked
        # "kéo dài bao lâu" asks how long the round lasts, not to extend anything
        ("so tuyen giai thuong chat luong quoc gia keo dai bao lau", "2.001269", set()),
    ],
)
def test_changes_the_answer_does_not_offer(question: str, key: str, unoffered: set[str]) -> None:
    result = MATCHER.search(question)
    assert result.outcome == "answer" and result.best is not None
    assert result.best.procedure.key == key
    assert result.unoffered == unoffered


async def test_the_card_says_the_change_asked_is_not_mentioned(runtime: Runtime) -> None:
    chat = ConsoleChat(runtime.assistant, user_id="lost")
    [card, _survey] = await chat.say("mất giấy chứng nhận đăng ký chuyển giao công nghệ")
    assert card.procedure_key == TRANSFER
    assert card.text.startswith("Lưu ý: thủ tục dưới đây không nói đến việc cấp lại.")
    assert "/lienhe" in card.text
    [plain, _survey] = await chat.say("đăng ký chuyển giao công nghệ")
    assert plain.procedure_key == TRANSFER and "Lưu ý" not in plain.text
