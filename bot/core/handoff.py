"""Human handoff: a citizen's question forwarded to the staff chat, a staff reply relayed back.

The forward is an `Outgoing` to `STAFF` carrying the handoff id; the channel reports the id of
the staff-chat message it sent (`link`), and a staff member's reply to that message finds the
citizen through the `handoffs` row — on whichever replica receives the reply.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.messages import STAFF, Button, Incoming, Outgoing, Reply, Turn
from bot.core.privacy import mask_personal_data
from bot.core.survey import FACES, SCALE, SKIP_LABEL
from bot.db import repo
from bot.db.models import Interaction, utcnow
from bot.knowledge import Procedure

ASK_FOR_QUESTION = (
    "✍️ Bạn hãy nhắn câu hỏi cho cán bộ trong tin nhắn tiếp theo (nên nêu rõ thủ tục và "
    "vướng mắc). Câu trả lời của cán bộ sẽ được gửi vào cuộc trò chuyện này."
)
FORWARDED = (
    "✅ Đã chuyển câu hỏi của bạn tới cán bộ một cửa. Câu trả lời sẽ được gửi vào đây; "
    "trong giờ làm việc thường không quá một ngày làm việc."
)
NO_STAFF = "Hiện chưa kết nối được với cán bộ qua kênh này. Bạn có thể liên hệ trực tiếp:\n\n"
RELAYED = "✅ Đã gửi câu trả lời tới người hỏi."


def ask_for_question(interaction_id: int) -> Reply:
    return Reply(
        ASK_FOR_QUESTION,
        buttons=(Button(SKIP_LABEL, action=f"skip:{interaction_id}"),),
        kind="handoff_ask",
        interaction_id=interaction_id,
    )


async def forward(
    session: AsyncSession,
    *,
    incoming: Incoming,
    user_key: str,
    text: str,
    interaction: Interaction | None,
    procedure: Procedure | None,
) -> Turn:
    """Create the handoff row and the staff-chat message; the citizen sees a confirmation."""
    handoff = await repo.create_handoff(
        session,
        interaction_id=interaction.id if interaction else None,
        channel=incoming.channel,
        user_key=user_key,
        chat_id=incoming.user_id,
        procedure_key=procedure.key if procedure else None,
        question=mask_personal_data(text),
    )
    lines = [f"🙋 Câu hỏi cần cán bộ trả lời (#{handoff.id}, kênh {incoming.channel})"]
    if procedure:
        lines.append(f"Thủ tục đang xem: {procedure.name}")
    if interaction and interaction.question:
        lines.append(f"Câu hỏi trước đó với trợ lý: {interaction.question}")
    # The staff see the text as typed: the citizen wrote it for them (it may hold a phone
    # number to call back); only the masked text is stored.
    lines += ["", text, "", "↩️ Trả lời (reply) tin nhắn này để gửi câu trả lời cho người hỏi."]
    staff = Outgoing(STAFF, Reply("\n".join(lines), kind="handoff"), handoff_id=handoff.id)
    return Turn((Reply(FORWARDED, kind="handoff_sent"),), (staff,))


async def link(
    sessionmaker: async_sessionmaker[AsyncSession], handoff_id: int, staff_message_id: str
) -> None:
    async with sessionmaker.begin() as session:
        await repo.link_handoff(session, handoff_id=handoff_id, staff_message_id=staff_message_id)


async def relay(sessionmaker: async_sessionmaker[AsyncSession], incoming: Incoming) -> Turn:
    """A staff reply to a handoff message goes to the citizen; anything else is ignored."""
    text = incoming.text.strip()
    if not incoming.reply_to or not text:
        return Turn()
    async with sessionmaker.begin() as session:
        handoff = await repo.find_handoff(session, staff_message_id=incoming.reply_to)
        if handoff is None:
            return Turn()
        handoff.answered_at = utcnow()
        asked = handoff.question
        to, channel = handoff.chat_id, handoff.channel
    answer = Reply(f"💬 Cán bộ trả lời câu hỏi “{asked}” của bạn:\n\n{text}", kind="staff_answer")
    return Turn((Reply(RELAYED, kind="relayed"),), (Outgoing(to, answer, channel=channel),))


def low_rating_alert(interaction: Interaction, procedure: Procedure | None, score: int) -> Outgoing:
    lines = [
        f"⚠️ Đánh giá thấp: {FACES[score]} {SCALE[score]} ({score}/5), kênh {interaction.channel}",
        f"Thủ tục: {procedure.name if procedure else interaction.procedure_key or '—'}",
    ]
    if interaction.question:
        lines.append(f"Câu hỏi: {interaction.question}")
    lines.append("Người hỏi có thể bấm “Hỏi cán bộ” để gửi câu hỏi cho cán bộ.")
    return Outgoing(STAFF, Reply("\n".join(lines), kind="low_rating_alert"))
