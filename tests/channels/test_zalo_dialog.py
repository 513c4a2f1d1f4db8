"""A citizen on Zalo, through the real webhook and HTTP: question, choices, survey, handoff."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bot.config import Settings
from bot.core.assistant import TEXT_ONLY
from bot.db.models import Feedback, Handoff, Interaction

from ..fakes.telegram_api import FakeTelegram
from ..fakes.zalo_api import FakeZalo
from .telegram_dialog import STAFF_CHAT, staff_reply
from .zalo_dialog import ZaloUnderTest, running, text_of, titles, zalo_settings


@pytest.fixture
async def zalo(settings: Settings, fake_zalo: FakeZalo) -> AsyncIterator[ZaloUnderTest]:
    """Zalo alone: no Telegram, so no staff chat."""
    async with running(zalo_settings(settings, fake_zalo.url), fake_zalo) as bot:  # type: ignore[attr-defined]
        yield bot


@pytest.fixture
async def both(telegram_settings: Settings, fake_zalo: FakeZalo) -> AsyncIterator[ZaloUnderTest]:
    """Zalo and Telegram in one app, with Telegram's staff chat: the production wiring."""
    settings = zalo_settings(telegram_settings, fake_zalo.url)  # type: ignore[attr-defined]
    async with running(settings, fake_zalo) as bot:
        yield bot


async def test_question_card_and_survey(zalo: ZaloUnderTest) -> None:
    lan = zalo.citizen()
    card, survey = await lan.says("khai bao may x quang phong kham")
    assert card.text.startswith("📋 Khai báo thiết bị X-quang chẩn đoán trong y tế\n\n")
    assert "5 ngày làm việc" in card.text
    assert card.message["attachment"] == {"type": "template", "payload": {"buttons": card.buttons}}
    assert len(card.buttons) == 5  # five sections; the online link is listed under the text
    assert card.buttons[0] == {
        "title": "📄 Hồ sơ cần nộp",
        "type": "oa.query.show",
        "payload": "#sec:2.002131:docs",
    }
    assert "🌐 Nộp trực tuyến: https://dichvucong.example.test/2.002131" in card.text
    assert "gõ số" not in card.text  # nothing numbered: every action fits the template
    assert [b["title"] for b in survey.buttons][1] == "🙂 Hài lòng"
    assert card.token == "access-0"

    docs = await lan.taps("Hồ sơ cần nộp")
    assert "Phiếu khai báo thiết bị X-quang <mẫu 01> & phụ lục" in text_of(docs)  # plain text
    assert "Rất hài lòng" not in " ".join(titles(docs))

    rated = await lan.taps("🙂 Hài lòng")
    assert "Bạn đã đánh giá: 🙂 Hài lòng" in text_of(rated)  # no editing on Zalo: a new message
    assert "Thông tin có đủ để bạn chuẩn bị hồ sơ không?" in text_of(rated)
    asked = await lan.taps("Có, đủ rồi")
    assert "góp ý" in text_of(asked) and "Bỏ qua" in titles(asked)
    thanks = await lan.says("Hướng dẫn rõ ràng, dễ hiểu")
    assert "Cảm ơn góp ý" in text_of(thanks)

    async with zalo.runtime.sessionmaker() as session:
        [question] = (await session.scalars(select(Interaction))).all()
        [feedback] = (await session.scalars(select(Feedback))).all()
    assert question.channel == "zalo" and lan.user_id not in question.user_key
    assert question.procedure_key == "2.002131"
    assert (feedback.interaction_id, feedback.score, feedback.enough_info) == (question.id, 4, True)
    assert feedback.comment == "Hướng dẫn rõ ràng, dễ hiểu"


async def test_recorded_button_payloads(zalo: ZaloUnderTest) -> None:
    lan = zalo.citizen()
    await lan.says("khai bao may x quang")  # interaction 1 in the fresh database
    clicked = await lan.sends("user_click_button")  # "#sec:2.002131:docs"
    assert "Phiếu khai báo thiết bị X-quang" in text_of(clicked)
    rated = await lan.sends("oa_query_text")  # "#fb:1:4", as an oa.query.show tap sends it
    assert "Bạn đã đánh giá: 🙂 Hài lòng" in text_of(rated)
    stranger = await zalo.citizen("1111111111111111111").sends("oa_query_text")
    assert "Cuộc khảo sát này đã kết thúc" in text_of(stranger)  # not their interaction
    async with zalo.runtime.sessionmaker() as session:
        rows = (await session.execute(select(Feedback.interaction_id, Feedback.score))).all()
    assert [tuple(r) for r in rows] == [(1, 4)]


async def test_follow_gets_the_welcome(zalo: ZaloUnderTest) -> None:
    [welcome] = await zalo.citizen().sends("follow")
    assert "Ví dụ:" in welcome.text and welcome.text.count("\n• ") >= 3


@pytest.mark.parametrize(
    "fixture",
    [
        "user_send_image",
        "user_send_sticker",
        "user_send_file",
        "user_send_location",
        "user_send_audio",
    ],
)
async def test_media_gets_a_polite_text_only_reply(zalo: ZaloUnderTest, fixture: str) -> None:
    [reply] = await zalo.citizen().sends(fixture)
    assert reply.text == TEXT_ONLY and "chỉ hỗ trợ câu hỏi bằng chữ" in reply.text
    async with zalo.runtime.sessionmaker() as session:
        assert (await session.scalars(select(Interaction))).all() == []


async def test_unknown_event_is_ignored(
    zalo: ZaloUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.channels.zalo")
    assert await zalo.citizen().sends("unknown_event") == []
    assert "user_seen_message" in caplog.text and "ignored" in caplog.text


async def test_long_answer_is_split_on_lines(
    settings: Settings, fake_zalo: FakeZalo, knowledge_dir: Path
) -> None:
    documents = [{"name": f"Giấy tờ số {i:02d} " + "x" * 40, "copies": 1} for i in range(1, 36)]
    procedure = {
        "code": "9.000002",
        "name": "Thủ tục thử có danh mục hồ sơ dài",
        "field": "Đo lường",
        "agency": "Sở Khoa học và Công nghệ",
        "processing_time": {"working_days": 10},
        "documents": documents,
        "source_url": "https://example.test/9.000002",
        "verified_on": "2026-01-01",
    }
    path = knowledge_dir / "procedures" / "9.000002.yaml"
    path.write_text(yaml.safe_dump(procedure, allow_unicode=True), encoding="utf-8")
    settings = zalo_settings(settings, fake_zalo.url)  # type: ignore[attr-defined]
    async with running(settings, fake_zalo) as zalo:  # seeds the database from knowledge_dir
        sent = await zalo.citizen().says("#sec:9.000002:docs")
    assert 2400 <= sum(len(c.text) for c in sent) <= 2600  # a 2,500-character answer
    assert len(sent) == 2 and all(len(c.text) <= 2000 for c in sent)
    assert sent[0].text.startswith("📋 Thủ tục thử") and not sent[0].buttons
    assert sent[1].buttons  # the buttons under the last part
    lines = "\n".join(c.text for c in sent).split("\n")  # cut between lines: each one whole
    for i in range(1, 36):
        assert sum(line.startswith(f"{i}. Giấy tờ số {i:02d} ") for line in lines) == 1


async def test_low_rating_alerts_the_telegram_staff_chat(
    both: ZaloUnderTest, fake_telegram: FakeTelegram
) -> None:
    lan = both.citizen()
    await lan.says("khai bao may x quang")
    low = await lan.taps("Rất không hài lòng")
    [alert] = [c for c in fake_telegram.calls_of("sendMessage") if c.chat_id == STAFF_CHAT]
    assert "Đánh giá thấp" in alert.text and "kênh zalo" in alert.text
    assert "🙋 Hỏi cán bộ" in titles(low)


async def test_extra_choices_are_numbered_and_handoff_round_trip(
    both: ZaloUnderTest, fake_telegram: FakeTelegram
) -> None:
    lan = both.citizen()
    card, _survey = await lan.says("gia han giay phep x quang")
    assert len(card.buttons) == 5 and "Hỏi cán bộ" not in titles([card])
    assert "Hoặc gõ số để chọn:\n1. 🙋 Hỏi cán bộ" in card.text  # the sixth choice, numbered

    prompt = await lan.says("1")  # typed: any replica finds the choice in the database
    assert "nhắn câu hỏi cho cán bộ" in text_of(prompt)
    sent = await lan.says("Tôi ở Cao Lộc, gửi hồ sơ qua bưu điện được không? SĐT 0912345678")
    assert "Đã chuyển câu hỏi" in text_of(sent)
    [forward] = [c for c in fake_telegram.calls_of("sendMessage") if c.chat_id == STAFF_CHAT]
    assert "kênh zalo" in forward.text and "gửi hồ sơ qua bưu điện" in forward.text

    assert both.telegram is not None
    before = len(both.fake.calls)
    answer = staff_reply(forward.message_id or 0, "Được, bạn gửi bảo đảm nhé.")
    response = await both.post_telegram(answer)
    assert response.status_code == 200
    await both.telegram.application.update_queue.join()
    [relayed] = both.fake.calls[before:]
    assert relayed.user_id == lan.user_id and relayed.error == 0
    assert "Cán bộ trả lời" in relayed.text and "Được, bạn gửi bảo đảm nhé." in relayed.text
    confirmations = [
        c.text for c in fake_telegram.calls_of("sendMessage") if c.chat_id == STAFF_CHAT
    ]
    assert any("Đã gửi câu trả lời" in text for text in confirmations)

    both.fake.fail_next(-230)  # a later answer, after the citizen's interaction window
    again = staff_reply(forward.message_id or 0, "Bổ sung: nhớ ghi rõ số điện thoại.")
    assert (await both.post_telegram(again)).status_code == 200
    await both.telegram.application.update_queue.join()
    staff_texts = [c.text for c in fake_telegram.calls_of("sendMessage") if c.chat_id == STAFF_CHAT]
    assert "Chưa gửi được tin nhắn tới người hỏi" in staff_texts[-1]

    async with both.runtime.sessionmaker() as session:
        [handoff] = (await session.scalars(select(Handoff))).all()
    assert handoff.channel == "zalo" and handoff.chat_id == lan.user_id
    assert handoff.staff_message_id == str(forward.message_id) and handoff.answered_at
    assert "0912345678" not in handoff.question
