"""The core through the console adapter: dialogs on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from bot.channels.console import ConsoleChat
from bot.core import browse
from bot.db.models import Interaction
from bot.runtime import Runtime

from ..dialog import Expect, verify_dialog


async def test_question_card_then_section_by_number(runtime: Runtime) -> None:
    chat = ConsoleChat(runtime.assistant, user_id="123456")
    await verify_dialog(
        chat,
        [
            (
                "khai bao may x quang phong kham",
                Expect(
                    kind="answer",
                    procedure="2.002131",
                    contains=["5 ngày làm việc"],
                    buttons=["Hồ sơ cần nộp", "Nộp trực tuyến"],
                ),
            ),
            ("1", Expect(kind="section", contains=["Phiếu khai báo thiết bị X-quang"])),
        ],
    )
    async with runtime.sessionmaker() as session:
        [row] = (await session.scalars(select(Interaction))).all()
    assert row.procedure_key == "2.002131" and row.outcome == "answer"
    assert row.channel == "console" and "123456" not in row.user_key and len(row.user_key) == 32


async def test_aspect_leads_the_card(runtime: Runtime) -> None:
    reply, survey = await ConsoleChat(runtime.assistant).say(
        "xin gia hạn gp bức xạ thì mất bao lâu"
    )
    assert survey.kind == "survey" and survey.interaction_id == reply.interaction_id
    assert reply.procedure_key == "gia-han-giay-phep-tien-hanh-cong-3da893"
    assert reply.text.startswith("⏱ Thời hạn giải quyết: 10 ngày làm việc")
    assert not any("Thời hạn" in b.label for b in reply.buttons)


async def test_missing_facts_say_not_updated(runtime: Runtime) -> None:
    chat = ConsoleChat(runtime.assistant)
    reply, _survey = await chat.say("gia han giay phep x quang le phi")
    assert (
        "Phí/lệ phí: chưa cập nhật" in reply.text and "https://example.test/gia-han" in reply.text
    )


async def test_fallback_smalltalk_and_empty(runtime: Runtime) -> None:
    chat = ConsoleChat(runtime.assistant)
    await verify_dialog(
        chat,
        [
            (
                "làm hộ chiếu cần gì",
                Expect(kind="fallback", contains=["0200 000 000", "dichvucong.gov.vn"]),
            ),
            ("xin chào", Expect(kind="smalltalk")),
            ("rất tốt", Expect(kind="smalltalk", contains=["bấm một mức đánh giá"])),
            ("ok", Expect(kind="smalltalk", contains=["Cần hỏi thêm"])),
            ("   ", Expect(kind="hint")),
            ("7", Expect(kind="hint", contains=["Số “7” không ứng với lựa chọn nào"])),
            ("🙂🙂", Expect(kind="which")),  # nothing to look up, no gap for staff
        ],
    )
    async with runtime.sessionmaker() as session:
        outcomes = (await session.scalars(select(Interaction.outcome))).all()
    assert outcomes == ["fallback", "smalltalk", "smalltalk", "smalltalk", "clarify"]


async def test_an_unhappy_citizen_gets_an_apology_and_staff(runtime: Runtime) -> None:
    """Not a question for staff to fill in the knowledge base: small talk, with a way forward."""
    chat = ConsoleChat(runtime.assistant, user_id="u1")
    await verify_dialog(
        chat,
        [
            ("bot ngu quá", Expect(kind="smalltalk", contains=["Xin lỗi vì tôi chưa trả lời"])),
            ("tôi chưa hiểu", Expect(kind="smalltalk", contains=["Xin lỗi vì tôi chưa trả lời"])),
            ("ban la nguoi hay may", Expect(kind="smalltalk", contains=["trợ lý tự động"])),
        ],
    )
    runtime.assistant.handoff_enabled = True  # a staff chat is configured
    await verify_dialog(
        chat,
        [
            ("trả lời sai rồi", Expect(kind="smalltalk", buttons=["Hỏi cán bộ"])),
            ("1", Expect(kind="handoff_ask", contains=["nhắn câu hỏi cho cán bộ"])),
        ],
    )


async def test_a_part_asked_of_no_procedure_asks_which_one(runtime: Runtime) -> None:
    """ "phí bao nhiêu?" with nothing under discussion: not a gap in the knowledge base for
    staff, but a question back, with an example and the fields to browse."""
    chat = ConsoleChat(runtime.assistant)
    example = browse.example_wordings(runtime.assistant.knowledge, 1)[0]
    await verify_dialog(
        chat,
        [
            ("phi bao nhieu a", Expect(kind="which", contains=[f"“{example} lệ phí bao nhiêu”"])),
            ("nộp hồ sơ trực tuyến được không", Expect(kind="which", buttons=["Các lĩnh vực"])),
            ("nộp ở đâu", Expect(kind="which", contains=["nộp ở đâu”"])),
            ("oke, phí bao nhiêu", Expect(kind="which")),  # small talk names nothing either
            ("cho em hỏi với ạ", Expect(kind="which")),  # polite words only: nothing asked yet
            ("làm hộ chiếu nộp ở đâu", Expect(kind="fallback")),  # names another procedure
            ("1", Expect(kind="fields")),  # the button: browse by field
        ],
    )
    async with runtime.sessionmaker() as session:
        outcomes = (await session.scalars(select(Interaction.outcome))).all()
    assert outcomes == ["clarify", "clarify", "clarify", "clarify", "clarify", "fallback"]


async def test_the_procedure_named_next_is_answered_with_the_part_asked(runtime: Runtime) -> None:
    chat = ConsoleChat(runtime.assistant, user_id="part")
    [card, _] = await verify_dialog(
        chat,
        [
            ("phí bao nhiêu?", Expect(kind="which")),
            ("khai báo máy x quang", Expect(kind="answer")),
        ],
    )
    assert card.text.startswith("💰 Phí/lệ phí")  # the card leads with the part asked before
    [plain, _] = await chat.say("gia hạn giấy phép bức xạ")  # the part was asked once only
    assert plain.text.startswith("⏱ Thời hạn")
    [polite, _] = await chat.say("cảm ơn, còn lệ phí thì sao?")  # a follow-up, thanks aside
    assert polite.kind == "answer" and polite.text.startswith("💰 Phí/lệ phí")
    async with runtime.sessionmaker() as session:
        aspects = (await session.scalars(select(Interaction.aspect).order_by(Interaction.id))).all()
    assert aspects == ["fee", "fee", None, "fee"]


async def test_personal_data_is_masked_before_storage(runtime: Runtime) -> None:
    await ConsoleChat(runtime.assistant).say(
        "khai báo x quang, sđt 0912345678, email a.b@example.com, cccd 001234567890"
    )
    async with runtime.sessionmaker() as session:
        question = await session.scalar(select(Interaction.question))
    assert question is not None
    assert "0912345678" not in question and "a.b@example.com" not in question
    assert "001234567890" not in question and "[số điện thoại]" in question


async def test_stale_button_is_polite(runtime: Runtime) -> None:
    chat = ConsoleChat(runtime.assistant)
    from bot.core.messages import Incoming

    [reply] = await runtime.assistant.handle(Incoming("console", "u", action="sec:9.999999:docs"))
    assert reply.kind == "stale" and "thay đổi" in reply.text
    assert chat.to_incoming("7").action is None  # no choices yet: "7" is just text


async def test_the_department_itself_and_a_submitted_file_get_contacts(runtime: Runtime) -> None:
    """How to reach the department, or how far a submitted file has gone: not a procedure
    card, not a gap for staff."""
    chat = ConsoleChat(runtime.assistant, user_id="contact")
    await verify_dialog(
        chat,
        [
            ("số điện thoại của sở khoa học", Expect(kind="contact", contains=["Điện thoại"])),
            ("so khoa hoc cong nghe lang son o dau", Expect(kind="contact")),
            ("giờ làm việc của sở", Expect(kind="contact")),
            (
                "hồ sơ khai báo x quang của tôi nộp 2 tuần rồi sao chưa có kết quả",
                Expect(kind="status", contains=["mã hồ sơ"]),
            ),
            ("tra cứu hồ sơ đã nộp", Expect(kind="status")),
            ("nộp hồ sơ khai báo x quang ở sở khoa học", Expect(kind="answer")),
            # with a procedure under discussion: still not a follow-up of it
            ("hồ sơ của tôi nộp rồi sao chưa có kết quả", Expect(kind="status")),
            ("sở ở đâu", Expect(kind="contact")),
            # a late file: once the fallback, "trễ hạn" read as a licence's renewal
            ("toi muon khieu nai vi ho so bi tre han", Expect(kind="status")),
        ],
    )
    async with runtime.sessionmaker() as session:
        outcomes = (await session.scalars(select(Interaction.outcome))).all()
    assert outcomes == ["smalltalk"] * 5 + ["answer"] + ["smalltalk"] * 3


async def test_characters_no_database_stores_are_dropped_not_a_crash(runtime: Runtime) -> None:
    """A JSON body can carry NUL and lone surrogates ("\\u0000", "\\ud800"): PostgreSQL refused
    the question (the platform then retried it for up to a day). Dropped, the rest is answered."""
    chat = ConsoleChat(runtime.assistant)
    [answer, _] = await chat.say("khai bao may x quang\x00 phong kham")
    assert answer.kind == "answer" and answer.procedure_key == "2.002131"
    [hint] = await chat.say("\ud800\x00")
    assert hint.kind == "hint"
    assert await chat.say("thủ tục \ud800 nào")  # answered somehow, and recorded
    async with runtime.sessionmaker() as session:
        stored = (await session.scalars(select(Interaction.question))).all()
    assert stored == ["khai bao may x quang phong kham", "thủ tục  nào"]


async def test_two_procedures_compared_are_both_offered(runtime: Runtime) -> None:
    """ "khác … thế nào": not a guess at one of them, even right after discussing one."""
    chat = ConsoleChat(runtime.assistant, user_id="compare")
    await chat.say("khai báo máy x quang")
    [reply] = await chat.say("khai báo máy x quang khác xin giấy phép x quang thế nào")
    assert reply.kind == "clarify" and reply.text.startswith("Đây là các thủ tục bạn muốn so sánh")
    assert {b.label for b in reply.buttons[:2]} == {
        "Khai báo thiết bị X-quang chẩn đoán trong y tế",
        "Cấp giấy phép tiến hành công việc bức xạ (X-quang chẩn đoán y tế)",
    }
