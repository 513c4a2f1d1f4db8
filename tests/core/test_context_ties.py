"""A question that cannot tell two procedures apart ("giấy phép bị mất": which licence?) is
settled by the procedure under discussion, otherwise offered as choices."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels.console import ConsoleChat
from bot.core.matcher import Matcher
from bot.core.ranking import offered
from bot.knowledge import load_knowledge
from bot.runtime import Runtime

from ..conftest import REAL_KNOWLEDGE
from ..dialog import Expect, verify_dialog

KB = load_knowledge(REAL_KNOWLEDGE)
MATCHER = Matcher(KB.procedures, KB.synonyms)
XRAY = "cap-giay-phep-tien-hanh-cong-viec-5d115d"
XRAY_REISSUE = "cap-lai-giay-phep-tien-hanh-cong-2a4924"
XRAY_EXTENSION = "gia-han-giay-phep-tien-hanh-cong-e7c315"
XRAY_DECLARATION = "2.002131"
POSTAL = "cap-giay-phep-buu-chinh-cap-tinh"
POSTAL_LOST = "1.004379"


@pytest.fixture
def knowledge_dir() -> Path:
    return REAL_KNOWLEDGE  # read only: the test never edits it


def test_a_tie_without_context_offers_both() -> None:
    result = MATCHER.search("giấy phép bị mất")
    assert result.outcome == "clarify"
    assert {XRAY_REISSUE, POSTAL_LOST} <= {m.procedure.key for m in result.matches[:4]}


def test_only_close_candidates_are_offered() -> None:
    """Choices are the best two and those close to the best: a dental clinic with an X-ray
    machine gets the licence and the declaration, not a testing laboratory ("phòng")."""
    result = MATCHER.search("em mở phòng khám nha khoa có máy chụp x quang cần giấy tờ gì")
    assert result.outcome == "clarify"
    assert [m.procedure.key for m in offered(result.matches)] == [XRAY, XRAY_DECLARATION]
    topic = MATCHER.search("bưu chính")  # four postal procedures, all close
    assert len(offered(topic.matches)) == 4
    assert offered(()) == []


@pytest.mark.parametrize(
    ("question", "context", "expected"),
    [
        ("giấy phép bị mất", XRAY, XRAY_REISSUE),
        ("giấy phép của tôi bị cháy rồi", POSTAL, POSTAL_LOST),
        ("muốn gia hạn", XRAY, XRAY_EXTENSION),  # a topic: choices without the context
        ("bị mất", POSTAL, POSTAL_LOST),
        ("mat roi", POSTAL, POSTAL_LOST),  # "roi" typed for "rồi"
        ("het han roi", POSTAL, "1.003633"),  # the postal licence's renewal
    ],
)
def test_the_procedure_under_discussion_settles_it(
    question: str, context: str, expected: str
) -> None:
    result = MATCHER.search(question, context=context)
    assert result.outcome == "answer" and result.matches[0].procedure.key == expected


def test_an_unrelated_procedure_under_discussion_settles_nothing() -> None:
    result = MATCHER.search("giấy phép bị mất", context="dang-ky-cong-bo-hop-quy")
    assert result.outcome == "clarify"


@pytest.mark.parametrize("question", ["mẫu đơn đâu", "có cần công chứng không", "đăng ký"])
def test_words_the_models_find_out_of_scope_are_no_topic_to_settle(question: str) -> None:
    """ "đâu" is also "đầu" (người đứng đầu): no reason to answer a procedure of the family."""
    result = MATCHER.search(question, context="2.002131")  # the X-ray declaration
    assert result.outcome != "answer" and result.outcome != "clarify"


async def test_a_conversation_keeps_to_its_licence(runtime: Runtime) -> None:
    chat = ConsoleChat(runtime.assistant, user_id="t1")
    await verify_dialog(
        chat,
        [
            ("làm giấy phép x quang cho phòng khám nha khoa", Expect(kind="answer")),
            (
                "giấy phép của tôi bị cháy rồi",
                Expect(kind="answer", contains=["Cấp lại giấy phép tiến hành"]),
            ),
            ("giấy phép bưu chính", Expect(kind="answer")),
            ("bị mất", Expect(kind="answer", contains=["Cấp lại giấy phép bưu chính khi bị mất"])),
        ],
    )


async def test_a_typed_reply_to_choices_picks_among_them(runtime: Runtime) -> None:
    """Many citizens type instead of tapping: the reply is read with the question that got
    the choices, and it wins over an older procedure under discussion."""
    chat = ConsoleChat(runtime.assistant, user_id="t2")
    await verify_dialog(
        chat,
        [
            ("khai báo máy x quang", Expect(kind="answer")),
            ("bưu chính", Expect(kind="clarify")),
            ("bị mất", Expect(kind="answer", contains=["Cấp lại giấy phép bưu chính khi bị mất"])),
            ("x quang", Expect(kind="clarify")),
            ("cái khai báo", Expect(kind="answer", contains=["Khai báo thiết bị X-quang"])),
            ("x quang", Expect(kind="clarify")),
            ("1", Expect(kind="answer")),  # a number still picks the choice
        ],
    )


async def test_what_about_follow_ups(runtime: Runtime) -> None:
    """"còn … thì sao", "nếu … thì sao": connectors, not words of a procedure ("con" is "còn"
    without diacritics, or the pronoun a child uses)."""
    chat = ConsoleChat(runtime.assistant, user_id="f4")
    await verify_dialog(
        chat,
        [
            ("cho hoi lam giay phep buu chinh can giay to gi", Expect(kind="answer")),
            ("con het han thi", Expect(kind="answer", procedure="1.003633")),
            ("thế còn phí thì sao", Expect(kind="answer", contains=["5.375.000"])),
            ("nếu bị mất thì sao", Expect(kind="answer", procedure="1.004379")),
        ],
    )


async def test_how_many_photos_asks_the_papers(runtime: Runtime) -> None:
    chat = ConsoleChat(runtime.assistant, user_id="f5")
    await verify_dialog(
        chat,
        [
            ("toi can xin cap chung chi nhan vien buc xa", Expect(kind="answer")),
            ("can bao nhieu anh", Expect(kind="answer", contains=["Ảnh 3 cm x 4 cm"])),
            ("phí bao nhiêu anh", Expect(kind="answer", contains=["200.000"])),  # "anh": you
        ],
    )


async def test_the_steps_and_the_conditions_lead_when_asked(runtime: Runtime) -> None:
    chat = ConsoleChat(runtime.assistant, user_id="f6")
    await verify_dialog(
        chat,
        [
            ("khai báo máy x quang gồm những bước nào", Expect(contains=["🧭 Các bước"])),
            ("điều kiện cấp giấy phép bưu chính là gì", Expect(contains=["✅ Điều kiện"])),
        ],
    )
    [card, _] = await chat.say("dieu kien cong nhan doanh nghiep khcn")
    assert card.text.startswith("✅ Điều kiện")
