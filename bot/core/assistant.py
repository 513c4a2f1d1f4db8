"""The channel-agnostic core: one Incoming in, a list of Replies out.

Decides between answer, clarify, fallback and small talk from the matcher's result, records
every question as an interaction, and handles the stateless button actions.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.cards import (
    ASPECT_TO_SECTION,
    card_text,
    contact_text,
    section_buttons,
    section_text,
)
from bot.core.matcher import Matcher, MatchResult, Thresholds
from bot.core.messages import Button, Incoming, Reply
from bot.core.privacy import mask_personal_data, pseudonymize
from bot.db import repo
from bot.db.models import Interaction
from bot.knowledge import KnowledgeBase, Procedure

log = logging.getLogger(__name__)

HINT = (
    "Bạn hãy gõ câu hỏi về thủ tục cần làm, ví dụ: “khai báo máy X-quang”, "
    "“công bố hợp quy cần giấy tờ gì”, “đăng ký chuyển giao công nghệ mất bao lâu”."
)
SMALLTALK_REPLIES = {
    "greeting": "Xin chào! Tôi là trợ lý hướng dẫn thủ tục hành chính của {agency}. " + HINT,
    "thanks": "Rất vui được giúp bạn! Cần hỏi thêm thủ tục nào, bạn cứ nhắn nhé.",
    "bye": "Chào bạn, chúc bạn làm hồ sơ thuận lợi!",
    "identity": "Tôi là trợ lý tự động của {agency}: tôi hướng dẫn hồ sơ, thời hạn, phí, "
    "nơi nộp của các thủ tục hành chính. " + HINT,
}


class Assistant:
    """Answers questions from the knowledge base; holds the matcher index in memory."""

    def __init__(
        self,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        knowledge: KnowledgeBase,
        pseudonym_key: str,
        thresholds: Thresholds | None = None,
        max_question_chars: int = 1000,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.pseudonym_key = pseudonym_key
        self.thresholds = thresholds
        self.max_question_chars = max_question_chars
        self.reload(knowledge)

    def reload(self, knowledge: KnowledgeBase) -> None:
        """Swap in a new knowledge base (the index is rebuilt before the swap)."""
        matcher = Matcher(knowledge.procedures, knowledge.synonyms, self.thresholds)
        self.knowledge, self.matcher = knowledge, matcher
        self._by_key = {p.key: p for p in knowledge.procedures}

    def procedure(self, key: str) -> Procedure | None:
        return self._by_key.get(key)

    def user_key(self, incoming: Incoming) -> str:
        return pseudonymize(self.pseudonym_key, incoming.channel, incoming.user_id)

    async def handle(self, incoming: Incoming) -> list[Reply]:
        if incoming.action:
            return await self.handle_action(incoming)
        text = incoming.text[: self.max_question_chars].strip()
        if not text:
            return [Reply(HINT, kind="hint")]
        result = self.matcher.search(text)
        interaction = await self._record(incoming, text, result)
        return self._replies_for(result, interaction.id)

    def _replies_for(self, result: MatchResult, interaction_id: int) -> list[Reply]:
        agency = self.knowledge.agency.name
        if result.outcome == "answer" and result.best:
            procedure = result.best.procedure
            return [self.card(procedure, result.aspect, interaction_id)]
        if result.outcome == "clarify":
            choices = tuple(
                Button(m.procedure.name, action=f"pick:{interaction_id}:{m.procedure.key}")
                for m in result.matches[:4]
            )
            text = "Bạn đang hỏi thủ tục nào dưới đây? Hãy chọn một thủ tục:"
            return [Reply(text, buttons=choices, kind="clarify", interaction_id=interaction_id)]
        if result.outcome == "smalltalk" and result.smalltalk:
            reply = SMALLTALK_REPLIES[result.smalltalk].format(agency=agency)
            return [Reply(reply, kind="smalltalk")]
        return [self.fallback(interaction_id)]

    def card(self, procedure: Procedure, aspect: str | None, interaction_id: int | None) -> Reply:
        lead = ASPECT_TO_SECTION.get(aspect or "")
        return Reply(
            card_text(procedure, lead),
            title=procedure.name,
            buttons=section_buttons(procedure, exclude=lead),
            kind="answer",
            procedure_key=procedure.key,
            interaction_id=interaction_id,
        )

    def fallback(self, interaction_id: int | None) -> Reply:
        agency = self.knowledge.agency
        portal = agency.national_portal_url or "https://dichvucong.gov.vn"
        text = (
            "Xin lỗi, tôi chưa tìm thấy thủ tục phù hợp với câu hỏi của bạn. "
            "Câu hỏi đã được ghi lại để cán bộ bổ sung.\n"
            f"Nếu là thủ tục của cơ quan khác, bạn có thể tra cứu tại {portal}\n\n"
            + contact_text(agency)
        )
        return Reply(text, kind="fallback", interaction_id=interaction_id)

    async def handle_action(self, incoming: Incoming) -> list[Reply]:
        """Stateless button payloads: `sec:<key>:<section>`, `pick:<interaction>:<key>`."""
        kind, _, rest = (incoming.action or "").partition(":")
        if kind == "sec":
            key, _, section = rest.rpartition(":")
            procedure = self.procedure(key)
            if procedure is None:
                return [Reply("Thông tin đã thay đổi, bạn vui lòng hỏi lại.", kind="stale")]
            try:
                text = section_text(procedure, section)
            except ValueError:
                return [Reply(HINT, kind="hint")]
            return [
                Reply(
                    text,
                    title=procedure.name,
                    buttons=section_buttons(procedure, exclude=section),
                    kind="section",
                    procedure_key=procedure.key,
                )
            ]
        if kind == "pick":
            interaction_id, _, key = rest.partition(":")
            procedure = self.procedure(key)
            if procedure is None:
                return [Reply("Thông tin đã thay đổi, bạn vui lòng hỏi lại.", kind="stale")]
            async with self.sessionmaker.begin() as session:
                interaction = await session.get(Interaction, _int(interaction_id))
                if interaction is not None:
                    interaction.procedure_key = key
            aspect = interaction.aspect if interaction else None
            return [self.card(procedure, aspect, interaction.id if interaction else None)]
        log.info("unknown action %r", incoming.action)
        return [Reply(HINT, kind="hint")]

    async def _record(self, incoming: Incoming, text: str, result: MatchResult) -> Interaction:
        best = result.best if result.outcome == "answer" else None
        async with self.sessionmaker.begin() as session:
            return await repo.record_interaction(
                session,
                channel=incoming.channel,
                user_key=self.user_key(incoming),
                question=mask_personal_data(text),
                normalized=mask_personal_data(result.analysis.text),
                outcome=result.outcome,
                procedure_key=best.procedure.key if best else None,
                confidence=result.best.score if result.best else None,
                aspect=result.aspect,
            )


def _int(value: str) -> int:
    return int(value) if value.isdigit() else -1
