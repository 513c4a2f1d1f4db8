"""A citizen on Telegram, through the real webhook, PTB and HTTP: question to rating."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.db.models import Feedback, Handoff, Interaction
from bot.runtime import Runtime

from .conftest import LONG_KEY
from .telegram_dialog import STAFF_CHAT, BotUnderTest, staff_reply


async def test_question_documents_deadline_and_rating(
    bot: BotUnderTest, telegram_runtime: Runtime
) -> None:
    lan = bot.citizen()

    card = await lan.says("khai bao may x quang phong kham")
    assert card.messages[0].text.startswith("<b>Khai báo thiết bị X-quang chẩn đoán trong y tế</b>")
    assert "5 ngày làm việc" in card.text and "Cập nhật ngày 01/01/2026" in card.text
    assert "📄 Hồ sơ cần nộp" in card.labels and "🙂" in card.labels
    assert card.messages[0].params["parse_mode"] == "HTML"
    assert card.messages[0].content_type == "application/json"  # not percent-encoded fields
    [message] = card.messages  # the survey is asked under the answer: one message, one call
    assert message.text.endswith("(😍 rất hài lòng … 😞 rất không hài lòng).")
    assert [b["text"] for b in message.buttons()][-5:] == ["😍", "🙂", "😐", "🙁", "😞"]
    assert len(json.loads(message.params["reply_markup"])["inline_keyboard"][-1]) == 5

    docs = await lan.taps("Hồ sơ cần nộp")
    assert "Phiếu khai báo thiết bị X-quang <mẫu 01> & phụ lục" in docs.text
    assert "&lt;mẫu 01&gt; &amp; phụ lục" in docs.messages[0].text  # escaped for HTML
    assert "😍" not in docs.labels  # no second survey on a section tap

    date = await lan.says("nop hom nay thi bao gio co ket qua")
    assert "thứ Tư, 17/02/2027" in date.text  # 5 working days over the Tết 2027 holidays
    assert date.messages[0].text.startswith("<b>Khai báo thiết bị X-quang")

    rated = await lan.taps("🙂")
    [edited] = [c for c in rated.calls if c.method.startswith("edit")]
    assert edited.method == "editMessageReplyMarkup"  # the answer stays; the face is ticked
    assert {c.content_type for c in rated.calls} == {"application/json"}
    labels = [b["text"] for b in edited.buttons()]
    assert "✅ 🙂" in labels and "😍" in labels and "📄 Hồ sơ cần nộp" in labels
    [toast] = [c for c in rated.calls if c.method == "answerCallbackQuery"]
    assert toast.params["text"] == "Bạn đã đánh giá: 🙂 Hài lòng. Cảm ơn bạn!"
    assert "Thông tin có đủ để bạn chuẩn bị hồ sơ không?" in rated.text

    asked = await lan.taps("Có, đủ rồi")
    assert "góp ý" in asked.text and "Bỏ qua" in asked.labels
    thanks = await lan.says("Hướng dẫn rõ ràng, dễ hiểu")
    assert "Cảm ơn góp ý" in thanks.text

    await lan.says("khai bao may x quang")
    await lan.taps("😍")
    skipped = await lan.taps("Bỏ qua")  # the optional questions can be skipped
    assert [c.method for c in skipped.calls if c.method.startswith("edit")] == [
        "editMessageReplyMarkup"
    ]
    assert "Cảm ơn bạn" in skipped.text

    async with telegram_runtime.sessionmaker() as session:
        question = await session.scalar(
            select(Interaction).where(Interaction.question.like("nop hom nay%"))
        )
        feedback, second = (await session.scalars(select(Feedback).order_by(Feedback.id))).all()
    assert (second.score, second.enough_info, second.comment) == (5, None, None)
    assert question is not None and question.procedure_key == "2.002131"
    assert question.channel == "telegram" and "555000111" not in question.user_key
    assert (feedback.interaction_id, feedback.score) == (question.id, 4)
    assert feedback.enough_info is True and feedback.comment == "Hướng dẫn rõ ràng, dễ hiểu"


async def test_second_tap_updates_and_low_rating_alerts_staff(
    bot: BotUnderTest, telegram_runtime: Runtime
) -> None:
    lan = bot.citizen()
    await lan.says("khai bao may x quang")
    low = await lan.taps("😞")
    alert = low.to(STAFF_CHAT)
    assert "Đánh giá thấp" in alert.text and "Khai báo thiết bị X-quang" in alert.text
    assert "🙋 Hỏi cán bộ" in low.to(lan.user_id).labels

    again = await lan.taps("🙂")
    assert "Thông tin có đủ" not in again.text  # asked once per answer, no nagging
    [edited] = [c for c in again.calls if c.method == "editMessageReplyMarkup"]
    labels = [b["text"] for b in edited.buttons()]
    assert "✅ 🙂" in labels and "😞" in labels  # the tick moved
    assert not again.to(STAFF_CHAT).calls
    async with telegram_runtime.sessionmaker() as session:
        scores = (await session.scalars(select(Feedback.score))).all()
    assert scores == [4]


async def test_handoff_round_trip(bot: BotUnderTest, telegram_runtime: Runtime) -> None:
    lan = bot.citizen()
    await lan.says("gia han giay phep x quang")
    prompt = await lan.taps("Hỏi cán bộ")
    assert "nhắn câu hỏi cho cán bộ" in prompt.text

    sent = await lan.says("Tôi ở Cao Lộc, gửi hồ sơ qua bưu điện được không? SĐT 0912345678")
    [forward] = sent.to(STAFF_CHAT).messages
    assert "gửi hồ sơ qua bưu điện" in forward.text and "Gia hạn giấy phép" in forward.text
    assert "Đã chuyển câu hỏi" in sent.to(lan.user_id).text

    answer = await bot.deliver(staff_reply(forward.message_id or 0, "Được, bạn gửi bảo đảm nhé."))
    assert "Cán bộ trả lời" in answer.to(lan.user_id).text
    assert "Được, bạn gửi bảo đảm nhé." in answer.to(lan.user_id).text
    assert "Đã gửi câu trả lời" in answer.to(STAFF_CHAT).text

    async with telegram_runtime.sessionmaker() as session:
        [handoff] = (await session.scalars(select(Handoff))).all()
    assert handoff.staff_message_id == str(forward.message_id)
    assert handoff.answered_at is not None and handoff.channel == "telegram"
    assert "0912345678" not in handoff.question and handoff.chat_id == str(lan.user_id)
    assert handoff.interaction_id is not None

    unrelated = await bot.deliver(staff_reply(424242, "Cán bộ trao đổi nội bộ"))
    assert not unrelated.messages  # replies to other messages in the staff chat: ignored


async def test_long_answer_is_split_on_lines(bot: BotUnderTest) -> None:
    lan = bot.citizen()
    said = await lan.taps_data(f"sec:{LONG_KEY}:docs")
    parts = [p.text for p in said.messages]
    assert len(parts) >= 2 and all(len(p) <= 4096 for p in parts)
    assert sum(len(p) for p in parts) > 6000
    assert parts[0].startswith("<b>") and not any("<b>" in p for p in parts[1:])
    lines = "\n".join(parts).split("\n")  # cut between lines: every document line is whole
    for i in range(1, 61):
        assert sum(line.startswith(f"{i}. Tài liệu thuyết minh số {i} ") for line in lines) == 1
        assert any(line.endswith("(1 bộ/bản)") for line in lines if line.startswith(f"{i}. "))
    assert not said.messages[0].buttons() and said.messages[-1].buttons()  # under the last


async def test_timed_out_request_is_retried(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    bot.fake.stall_next("sendMessage", seconds=6)  # PTB gives up reading after 5 s
    said = await bot.citizen().says("khai bao may x quang")
    cards = [c for c in said.calls if c.method == "sendMessage" and "X-quang" in c.text]
    assert "Telegram sendMessage timed out, retry 1" in caplog.text
    assert cards, "the retry delivered the card"


async def test_rate_limit_is_retried(bot: BotUnderTest) -> None:
    bot.fake.fail_next("sendMessage", retry_after=1)
    said = await bot.citizen().says("khai bao may x quang")
    sends = [c for c in said.calls if c.method == "sendMessage"]
    assert len(sends) == 2  # the card with its survey twice (429, then the retry)
    assert sends[0].text == sends[1].text and "X-quang" in sends[1].text
