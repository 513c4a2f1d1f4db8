"""Follow-ups, the survey and handoff state through the console adapter (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.channels.console import ConsoleChat
from bot.core import browse
from bot.core.cards import section_buttons
from bot.core.feedback import save_feedback
from bot.core.messages import STAFF, Incoming, Reply
from bot.db import repo
from bot.db.models import Feedback, Interaction
from bot.knowledge import ProcessingTime, load_knowledge
from bot.runtime import Runtime

from ..conftest import REAL_KNOWLEDGE
from ..dialog import Expect, verify_dialog

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 09:00 in Lạng Sơn


def number(replies: list[Reply], label: str) -> str:
    """What to type in the console to tap the button with `label`."""
    labels = [b.label for r in replies for b in r.buttons]
    return str(next(i for i, x in enumerate(labels, start=1) if label in x))


async def test_console_survey_by_numbers(runtime: Runtime) -> None:
    runtime.assistant.clock = lambda: NOW
    chat = ConsoleChat(runtime.assistant, user_id="c1")
    card = await verify_dialog(
        chat, [("khai bao may x quang", Expect(kind="answer", buttons=["Hài lòng", "Hồ sơ"]))]
    )
    rated = await verify_dialog(
        chat,
        [
            (
                number(card, "Không hài lòng"),
                Expect(kind="rated", contains=["Không hài lòng", "Thông tin có đủ"]),
            )
        ],
    )
    await verify_dialog(
        chat,
        [
            (number(rated, "Có, đủ rồi"), Expect(kind="answered", contains=["góp ý"])),
            ("Nên ghi rõ mẫu đơn", Expect(kind="comment_saved")),
            # The window is closed: the same words are a question now, not about the last
            # procedure (they name more than an aspect), so they are recorded for staff.
            ("Nên ghi rõ mẫu đơn", Expect(kind="fallback")),
        ],
    )
    assert chat.outgoing == []  # the last turn alerted nobody
    async with runtime.sessionmaker() as session:
        [row] = (await session.scalars(select(Feedback))).all()
    assert (row.score, row.enough_info, row.comment) == (2, True, "Nên ghi rõ mẫu đơn")


async def test_low_rating_alerts_staff(runtime: Runtime) -> None:
    assistant = runtime.assistant
    [card, survey] = await assistant.handle(Incoming("console", "u9", "khai bao may x quang"))
    turn = await assistant.respond(
        Incoming("console", "u9", action=f"fb:{survey.interaction_id}:1")
    )
    [alert] = turn.outgoing
    assert alert.to == STAFF and "Rất không hài lòng" in alert.reply.text
    # No staff chat configured: no "Hỏi cán bộ" offer, the contact details instead.
    assert not any("Hỏi cán bộ" in b.label for r in turn.replies for b in r.buttons)
    [contact] = await assistant.handle(
        Incoming("console", "u9", action=f"ask:{card.interaction_id}")
    )
    assert "0200 000 000" in contact.text


async def test_follow_ups_use_the_last_procedure_until_it_expires(runtime: Runtime) -> None:
    now = [NOW]
    runtime.assistant.clock = lambda: now[0]
    chat = ConsoleChat(runtime.assistant, user_id="f1")
    await verify_dialog(
        chat,
        [
            ("xin gia hạn gp bức xạ", Expect(kind="answer")),
            ("còn lệ phí thì sao?", Expect(kind="answer", contains=["Phí/lệ phí: chưa cập nhật"])),
            ("nop online duoc khong", Expect(kind="answer", contains=["Cách nộp"])),
            ("mất bao lâu", Expect(kind="answer", contains=["10 ngày làm việc"])),
            (
                "nộp hôm nay thì bao giờ có kết quả",
                Expect(kind="answer", contains=["thứ Hai, 16/03/2026"]),
            ),
            # Another agency's procedure with an aspect is not a follow-up of this one.
            ("làm hộ chiếu ở đâu", Expect(kind="fallback")),
            ("dang ky ket hon mat bao lau", Expect(kind="fallback")),
            # Words of the procedure itself may be repeated.
            ("thế gia hạn thì nộp ở đâu", Expect(kind="answer", contains=["Nơi nộp"])),
            ("kết quả thế nào", Expect(kind="answer", contains=["🏷 Kết quả"])),
            ("phí bao nhiêu", Expect(kind="answer", contains=["Phí/lệ phí: chưa cập nhật"])),
            (  # a day named: counted from it (Friday 6/3, 10 working days)
                "thu 6 nop thi bao gio co",
                Expect(kind="answer", contains=["vào thứ Sáu, 06/03/2026", "thứ Sáu, 20/03/2026"]),
            ),
        ],
    )
    for reply in await chat.say("mất bao lâu"):
        assert reply.procedure_key in (None, "gia-han-giay-phep-tien-hanh-cong-3da893")
    now[0] += timedelta(minutes=31)  # no procedure under discussion: which one is meant?
    await verify_dialog(chat, [("mất bao lâu", Expect(kind="which", contains=["mất bao lâu"]))])
    other = ConsoleChat(runtime.assistant, user_id="f2")  # context is per user
    [first, *_] = await other.say("còn lệ phí thì sao?")
    assert first.kind == "which" and first.procedure_key is None
    async with runtime.sessionmaker() as session:
        rows = (await session.scalars(select(Interaction).order_by(Interaction.id))).all()
    outcomes = [r.outcome for r in rows[:10]]
    assert outcomes == ["answer"] * 5 + ["fallback"] * 2 + ["answer"] * 3
    assert rows[1].confidence is None and rows[1].aspect == "fee"  # answered from context


async def test_follow_ups_in_everyday_words(runtime: Runtime) -> None:
    """How people actually ask for a part: not a gap for staff, the part of the procedure."""
    chat = ConsoleChat(runtime.assistant, user_id="f3")
    await verify_dialog(
        chat,
        [
            ("xin gia hạn gp bức xạ", Expect(kind="answer")),
            ("thế hồ sơ gồm những gì", Expect(kind="answer", contains=["Hồ sơ"])),
            ("thông tin chưa rõ, phí bao nhiêu", Expect(kind="answer", contains=["Phí/lệ phí"])),
            ("xem chi tiết hồ sơ", Expect(kind="answer", contains=["Hồ sơ"])),
            ("nói rõ hơn về thời gian được không", Expect(kind="answer", contains=["Thời hạn"])),
            ("mẫu đơn đâu", Expect(kind="answer", contains=["Hồ sơ"])),
            ("có cần công chứng không", Expect(kind="answer", contains=["Hồ sơ"])),
            ("cái này làm online được không", Expect(kind="answer", contains=["Cách nộp"])),
            ("à quên, hồ sơ cần những gì", Expect(kind="answer", contains=["Hồ sơ"])),
            ("làm hộ chiếu ở đâu", Expect(kind="fallback")),
        ],
    )


async def test_a_time_in_calendar_days_gives_a_date(runtime: Runtime) -> None:
    """ "25 ngày" (not working days): weekends and holidays count, the date is given."""
    assistant = runtime.assistant
    assistant.clock = lambda: NOW  # Monday 2/3/2026, 09:00
    kb = assistant.knowledge
    key = "gia-han-giay-phep-tien-hanh-cong-3da893"
    calendar = ProcessingTime(calendar_days=25, text="25 ngày kể từ ngày nhận đủ hồ sơ hợp lệ")
    assistant.reload(
        type(kb)(
            tuple(
                p.model_copy(update={"processing_time": calendar}) if p.key == key else p
                for p in kb.procedures
            ),
            kb.agency,
            kb.synonyms,
        )
    )
    expected = ["25 ngày (tính cả ngày nghỉ)", "thứ Sáu, 27/03/2026", "25 ngày, tính cả thứ Bảy"]
    await verify_dialog(
        ConsoleChat(assistant, user_id="cd1"),
        [
            (
                "gia hạn gp bức xạ nộp hôm nay bao giờ có kết quả",
                Expect(kind="answer", contains=expected),
            )
        ],
    )


async def test_a_question_during_the_comment_window_is_answered(runtime: Runtime) -> None:
    assistant = runtime.assistant
    [_, survey] = await assistant.handle(Incoming("console", "q1", "khai bao may x quang"))
    iid = survey.interaction_id
    await assistant.handle(Incoming("console", "q1", action=f"fb:{iid}:5"))
    await assistant.handle(Incoming("console", "q1", action=f"fi:{iid}:n"))
    [card, _] = await assistant.handle(Incoming("console", "q1", "gia hạn giấy phép x quang?"))
    assert card.kind == "answer"
    [reply] = await assistant.handle(Incoming("console", "q1", "cảm ơn"))
    assert reply.kind == "smalltalk"  # the window was closed by the question
    async with runtime.sessionmaker() as session:
        feedback = await session.scalar(select(Feedback))
    assert feedback is not None and feedback.enough_info is False and feedback.comment is None


async def test_buttons_of_someone_else_are_refused(runtime: Runtime) -> None:
    assistant = runtime.assistant
    [_, survey] = await assistant.handle(Incoming("console", "owner", "khai bao may x quang"))
    [reply] = await assistant.handle(
        Incoming("console", "intruder", action=f"fb:{survey.interaction_id}:1")
    )
    assert reply.kind == "stale"
    async with runtime.sessionmaker() as session:
        assert (await session.scalars(select(Feedback))).all() == []


async def test_concurrent_first_ratings_make_one_row(runtime: Runtime) -> None:
    assistant = runtime.assistant
    [_, survey] = await assistant.handle(Incoming("console", "r1", "khai bao may x quang"))
    iid = survey.interaction_id
    user_key = assistant.user_key(Incoming("console", "r1"))
    results = await asyncio.gather(
        *(save_feedback(assistant, interaction_id=iid, user_key=user_key, score=s) for s in (1, 5))
    )
    assert all(row is not None for row, _ in results)
    async with runtime.sessionmaker() as session:
        rows = (await session.scalars(select(Feedback))).all()
    assert len(rows) == 1 and rows[0].score in (1, 5)


async def test_conversation_upsert_is_one_row(runtime: Runtime) -> None:
    async with runtime.sessionmaker.begin() as session:
        await repo.update_conversation(session, user_key="k", procedure_key="a")
        await repo.update_conversation(session, user_key="k", pending="comment")
    async with runtime.sessionmaker() as session:
        row = await repo.get_conversation(session, user_key="k")
    assert row is not None and (row.procedure_key, row.pending) == ("a", "comment")


async def test_each_delivery_is_answered_once(runtime: Runtime) -> None:
    """A platform delivery id (update_id, msg_id) is claimed in the turn's own transaction:
    a retry gets nothing, whatever the kind of message; another channel's same id is new."""
    assistant = runtime.assistant
    question = Incoming("telegram", "d1", "khai bao may x quang", event_id="7")
    first = await assistant.respond(question)
    assert first.replies and not first.already_handled
    again = await assistant.respond(question)
    assert again.already_handled and not again.replies and not again.outgoing
    tap = Incoming("telegram", "d1", action=f"fb:{first.replies[0].interaction_id}:5", event_id="8")
    assert not (await assistant.respond(tap)).already_handled
    assert (await assistant.respond(tap)).already_handled
    command = Incoming("telegram", "d1", command="start", event_id="9")
    assert not (await assistant.respond(command)).already_handled
    assert (await assistant.respond(command)).already_handled
    other = await assistant.respond(Incoming("zalo", "d1", "khai bao may x quang", event_id="7"))
    assert not other.already_handled
    async with runtime.sessionmaker() as session:
        questions = (await session.scalars(select(Interaction.channel))).all()
        scores = (await session.scalars(select(Feedback.score))).all()
    assert sorted(questions) == ["telegram", "zalo"] and scores == [5]


async def test_a_failed_turn_releases_its_delivery(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim commits with the answer's records: if the turn fails, a retry is answered."""
    assistant = runtime.assistant

    def broken(text: str, **_: object) -> None:
        raise RuntimeError("matcher down")

    with monkeypatch.context() as patch:
        patch.setattr(assistant.matcher, "search", broken)
        with pytest.raises(RuntimeError):
            await assistant.respond(Incoming("telegram", "d2", "khai bao x quang", event_id="70"))
    retried = await assistant.respond(Incoming("telegram", "d2", "khai bao x quang", event_id="70"))
    assert retried.replies and retried.replies[0].kind == "answer"


def test_every_button_fits_telegram_callback_data() -> None:
    """Callback data is at most 64 bytes, on the department's real knowledge base."""
    kb = load_knowledge(REAL_KNOWLEDGE)
    buttons = [b for p in kb.procedures for b in section_buttons(p)]
    buttons += browse.fields_reply(kb).buttons
    for name in browse.fields(kb):
        for page in range(3):
            reply = browse.field_reply(kb, browse.field_id(name), page)
            assert reply is not None
            buttons += reply.buttons
    actions = [b.action for b in buttons if b.url is None]
    actions += [f"pick:{2**31 - 1}:{p.key}" for p in kb.procedures]
    actions += [f"fb:{2**31 - 1}:5", f"fi:{2**31 - 1}:y", f"skip:{2**31 - 1}"]
    assert len(actions) > 100
    too_long = [a for a in actions if a is None or len(a.encode()) > 64]
    assert not too_long
