"""Telegram presentation: an answer and its survey as one message, faces in one row, ticks."""

from __future__ import annotations

import json

from telegram import InlineKeyboardMarkup

from bot.channels.telegram_render import TICK, attach_survey, keyboard, tick
from bot.core import survey
from bot.core.messages import Button, Reply

CARD = Reply(
    "Hồ sơ: …",
    title="Khai báo thiết bị X-quang",
    buttons=(Button("📄 Hồ sơ cần nộp", action="sec:k:docs"), Button("⏱ Thời hạn", "sec:k:time")),
    kind="answer",
    interaction_id=7,
)


def test_an_answer_and_its_survey_become_one_message() -> None:
    [merged] = attach_survey([CARD, survey.rating_request(7, "k")])
    assert merged.kind == "answer" and merged.title == CARD.title
    assert merged.text == f"{CARD.text}\n\n{survey.FACE_PROMPT}"
    assert [b.action for b in merged.buttons][2:] == [f"fb:7:{s}" for s in (5, 4, 3, 2, 1)]
    markup = parsed(merged.buttons)
    rows = [[b.text for b in row] for row in markup.inline_keyboard]
    assert rows == [["📄 Hồ sơ cần nộp", "⏱ Thời hạn"], ["😍", "🙂", "😐", "🙁", "😞"]]


def test_only_the_survey_of_that_answer_is_attached() -> None:
    other = survey.rating_request(8, "k")  # another interaction's survey stays separate
    assert attach_survey([CARD, other]) == [CARD, other]
    alone = survey.rating_request(7, "k")  # a survey with no answer before it (asked again)
    assert attach_survey([alone]) == [alone]
    section = Reply("…", kind="section", interaction_id=7)
    assert attach_survey([section, alone]) == [section, alone]


def test_labelled_ratings_stay_two_to_a_row() -> None:
    markup = parsed(survey.rating_buttons(7))  # the survey asked on its own (no answer above)
    assert [len(row) for row in markup.inline_keyboard] == [2, 2, 1]


def test_a_tap_ticks_one_face_and_moves_the_tick() -> None:
    [merged] = attach_survey([CARD, survey.rating_request(7, "k")])
    markup = parsed(merged.buttons)
    once = tick(markup, "fb:7:4")
    labels = [b.text for row in once.inline_keyboard for b in row]
    assert labels == ["📄 Hồ sơ cần nộp", "⏱ Thời hạn", "😍", TICK + "🙂", "😐", "🙁", "😞"]
    again = tick(once, "fb:7:1")
    labels = [b.text for row in again.inline_keyboard for b in row]
    assert labels[2:] == ["😍", "🙂", "😐", "🙁", TICK + "😞"]
    assert len(again.inline_keyboard[-1]) == 5  # still one row after a tick


def test_no_buttons_no_keyboard() -> None:
    assert keyboard(()) is None


def parsed(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup:
    """The JSON we send, read back as Telegram's type: a field PTB does not know would fail."""
    text = keyboard(buttons)
    assert text is not None
    markup = InlineKeyboardMarkup.de_json(json.loads(text), None)
    keys = [key for row in markup.inline_keyboard for key in row]
    assert not markup.api_kwargs and not any(key.api_kwargs for key in keys)
    return markup
