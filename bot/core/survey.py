"""The satisfaction survey after every answer: the scale, its questions and its buttons.

Three steps, each optional after the first: a rating on five levels (`fb:<interaction>:<1-5>`),
"was it enough to prepare the file?" (`fi:<interaction>:y|n`), then a free comment (the next
text within `COMMENT_MINUTES`, or `skip:<interaction>`). Buttons carry the interaction id, so
any replica can handle a tap.
"""

from __future__ import annotations

from bot.core.messages import Button, Reply

SCALE: dict[int, str] = {
    5: "Rất hài lòng",
    4: "Hài lòng",
    3: "Bình thường",
    2: "Không hài lòng",
    1: "Rất không hài lòng",
}
FACES = {5: "😍", 4: "🙂", 3: "😐", 2: "🙁", 1: "😞"}
LOW = 2  # ratings at or below this offer a staff member and alert the staff chat
ASK_RATING = "Câu trả lời trên có giúp ích cho bạn không? Bấm một mức để đánh giá:"
ASK_ENOUGH = "Thông tin có đủ để bạn chuẩn bị hồ sơ không?"
ASK_COMMENT = "Bạn có góp ý gì thêm không? Hãy nhắn góp ý trong vài phút tới, hoặc bấm “Bỏ qua”."
THANKS_COMMENT = "Cảm ơn góp ý của bạn! Cần hỏi thêm thủ tục nào, bạn cứ nhắn nhé."
THANKS = "Cảm ơn bạn! Cần hỏi thêm thủ tục nào, bạn cứ nhắn nhé."
LOW_OFFER = (
    "Rất tiếc vì câu trả lời chưa giúp được bạn. Bạn có thể bấm “Hỏi cán bộ” để gửi câu hỏi "
    "tới cán bộ một cửa."
)
FACE_PROMPT = (
    "Câu trả lời có giúp ích cho bạn không? Bấm đánh giá bên dưới "
    "(😍 rất hài lòng … 😞 rất không hài lòng)."
)
RATING_ACTION = "fb:"
ASK_STAFF_LABEL = "🙋 Hỏi cán bộ"
SKIP_LABEL = "Bỏ qua"


def rating_buttons(interaction_id: int, chosen: int | None = None) -> tuple[Button, ...]:
    return tuple(
        Button(
            ("✅ " if score == chosen else "") + f"{FACES[score]} {label}",
            action=f"{RATING_ACTION}{interaction_id}:{score}",
        )
        for score, label in SCALE.items()
    )


def face_buttons(interaction_id: int) -> tuple[Button, ...]:
    """The scale as faces only, best first: fits one row under an answer (`FACE_PROMPT`)."""
    return tuple(
        Button(FACES[score], action=f"{RATING_ACTION}{interaction_id}:{score}") for score in SCALE
    )


def rating_request(interaction_id: int, procedure_key: str | None) -> Reply:
    return Reply(
        ASK_RATING,
        buttons=rating_buttons(interaction_id),
        kind="survey",
        procedure_key=procedure_key,
        interaction_id=interaction_id,
    )


def rating_recorded(interaction_id: int, score: int) -> Reply:
    """The survey message again, showing the chosen level; a second tap changes it."""
    return Reply(
        f"Bạn đã đánh giá: {FACES[score]} {SCALE[score]}. Cảm ơn bạn!",
        buttons=rating_buttons(interaction_id, chosen=score),
        kind="rated",
        interaction_id=interaction_id,
        edit=True,
    )


def enough_request(interaction_id: int) -> Reply:
    return Reply(
        ASK_ENOUGH,
        buttons=(
            Button("👍 Có, đủ rồi", action=f"fi:{interaction_id}:y"),
            Button("👎 Chưa đủ", action=f"fi:{interaction_id}:n"),
            Button(SKIP_LABEL, action=f"skip:{interaction_id}"),
        ),
        kind="survey_enough",
        interaction_id=interaction_id,
    )


def enough_recorded(interaction_id: int, enough: bool) -> Reply:
    answer = "👍 Có, đủ rồi" if enough else "👎 Chưa đủ"
    return Reply(f"{ASK_ENOUGH}\n→ {answer}", kind="answered", edit=True)


def comment_request(interaction_id: int) -> Reply:
    return Reply(
        ASK_COMMENT,
        buttons=(Button(SKIP_LABEL, action=f"skip:{interaction_id}"),),
        kind="survey_comment",
        interaction_id=interaction_id,
    )


def ask_staff(interaction_id: int) -> Button:
    """The button that hands the conversation to staff (`bot.core.handoff`)."""
    return Button(ASK_STAFF_LABEL, action=f"ask:{interaction_id}")


def low_rating_offer(interaction_id: int) -> Reply:
    return Reply(
        LOW_OFFER,
        buttons=(ask_staff(interaction_id),),
        kind="low_rating",
        interaction_id=interaction_id,
    )


def parse_score(value: str) -> int | None:
    return int(value) if value.isdigit() and int(value) in SCALE else None
