"""The channel-agnostic core: one Incoming in, a Turn (replies + outgoing messages) out.

Decides between answer, clarify, fallback and small talk from the matcher's result (or the
procedure just discussed, for a follow-up), records every question as an interaction, asks
the survey after every answer card, and dispatches the stateless button actions (moving
around: navigation.py; survey and handoff: feedback.py). Everything a replica needs for the
next message is in the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core import browse, context, feedback, handoff, navigation, survey
from bot.core.calendar import TIMEZONE, deadline_note, warm
from bot.core.cards import (
    ASPECT_TO_SECTION,
    card_text,
    contact_text,
    section_buttons,
    unoffered_note,
)
from bot.core.matcher import Matcher, MatchResult, Thresholds
from bot.core.messages import Button, Incoming, Reply, Turn
from bot.core.navigation import as_int
from bot.core.privacy import mask_personal_data, pseudonymize
from bot.core.ranking import offered
from bot.core.smalltalk import ABOUT_US, HINT, smalltalk_reply
from bot.core.text import storable
from bot.db import repo
from bot.db.models import Interaction
from bot.db.repo.conversation import ConversationState
from bot.db.repo.turns import THIS_INTERACTION, Recorded, TurnRecord, Turns
from bot.knowledge import KnowledgeBase, Procedure, slugify

log = logging.getLogger(__name__)

TEXT_ONLY = (
    "Xin lỗi, hiện tôi chỉ hỗ trợ câu hỏi bằng chữ. Bạn hãy gõ câu hỏi về thủ tục cần làm nhé."
)
ALREADY_HANDLED = Turn(already_handled=True)
NOT_A_CHOICE = (
    "Số “{}” không ứng với lựa chọn nào đang có. Bạn hãy chọn theo danh sách mới nhất, "
    "hoặc gõ câu hỏi về thủ tục."
)
NOT_PENDING = {"pending": None, "pending_interaction_id": None}  # the next text is a question
REFINE = "refine"  # the last reply offered choices: the next text may pick among them
WHICH_ONE = "Bạn đang hỏi thủ tục nào dưới đây? Hãy chọn một thủ tục:"
COMPARED = (
    "Đây là các thủ tục bạn muốn so sánh. Hãy chọn từng thủ tục để xem hồ sơ, thời hạn, "
    "lệ phí và nơi nộp của thủ tục đó:"
)


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
        context_minutes: int = 30,
        comment_minutes: int = 10,
        handoff_enabled: bool = False,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.pseudonym_key = pseudonym_key
        self.thresholds = thresholds
        self.max_question_chars = max_question_chars
        self.context_minutes = context_minutes
        self.comment_minutes = comment_minutes
        self.handoff_enabled = handoff_enabled
        self.clock = clock or (lambda: datetime.now(UTC))
        self.turns = Turns(sessionmaker)
        self.reload(knowledge)
        warm(self.clock().astimezone(TIMEZONE).date())

    def reload(self, knowledge: KnowledgeBase) -> None:
        """Swap in a new knowledge base (the index is rebuilt before the swap)."""
        matcher = Matcher(knowledge.procedures, knowledge.synonyms, self.thresholds)
        self.knowledge, self.matcher = knowledge, matcher
        self._by_key = {p.key: p for p in knowledge.procedures}
        self._by_slug = {slugify(p.name): p for p in knowledge.procedures}

    def close(self) -> None:
        self.turns.close()

    def procedure(self, key: str | None) -> Procedure | None:
        return self._by_key.get(key or "")

    def user_key(self, incoming: Incoming) -> str:
        return pseudonymize(self.pseudonym_key, incoming.channel, incoming.user_id)

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """The replies to the writer only (for channels without a staff chat)."""
        return list((await self.respond(incoming)).replies)

    async def respond(self, incoming: Incoming) -> Turn:
        """The turn for one incoming message; `Turn(already_handled=True)` for a delivery
        (`incoming.event_id`) another replica or an earlier attempt has answered."""
        if (text := storable(incoming.text)) != incoming.text:
            incoming = replace(incoming, text=text)
        if incoming.is_question:
            return await self._text(incoming)  # claims the event in its own transaction
        if not await self.first_delivery(incoming):
            return ALREADY_HANDLED
        if incoming.from_staff:
            return await handoff.relay(self.sessionmaker, incoming)
        if incoming.action:
            return await self.handle_action(incoming)
        if incoming.command:
            return Turn((self.command(incoming.command, incoming.text),))
        return Turn((Reply(TEXT_ONLY, kind="unsupported"),))

    async def first_delivery(self, incoming: Incoming) -> bool:
        """Claim the platform's delivery id: True once across replicas and retries (with
        concurrent turns' writes, `bot.db.repo.turns`)."""
        if incoming.event_id is None:  # nothing to claim, no statement
            return True
        claim = TurnRecord(incoming.channel, incoming.event_id, self.user_key(incoming))
        return await self._write(claim) is not None

    async def claim(self, session: AsyncSession, incoming: Incoming) -> bool:
        """Claim the delivery in the caller's transaction, for writes that must land with it
        or not at all (a comment, a question for staff)."""
        if incoming.event_id is None:
            return True
        claimed = await repo.claim_inbound_event(
            session, channel=incoming.channel, event_id=incoming.event_id
        )
        if not claimed:
            log.info("%s event %s already handled", incoming.channel, incoming.event_id)
        return claimed

    async def link_handoff(self, handoff_id: int, staff_message_id: str) -> None:
        """The channel reports which staff-chat message carries a forwarded question."""
        await handoff.link(self.sessionmaker, handoff_id, staff_message_id)

    def command(self, name: str, args: str = "") -> Reply:
        kb = self.knowledge
        if name == "start":
            return browse.start_reply(kb)
        if name == "linhvuc":
            return browse.fields_reply(kb)
        if name == "tim":
            return browse.search_reply(self.matcher, args)
        if name == "lienhe":
            return browse.contact_reply(kb)
        return browse.help_reply(kb)

    # ------------------------------------------------------------ questions

    async def _text(self, incoming: Incoming) -> Turn:
        """A typed question: its conversation read, its answer worked out, then one write
        claims the delivery, records the question and updates the conversation, all or
        nothing (the hot path, batched with concurrent turns: `bot.db.repo.turns`)."""
        text = incoming.text[: self.max_question_chars].strip()
        user_key, now = self.user_key(incoming), self.clock()
        if not text or text.isdigit():  # a choice number from an older list, or mistyped
            reply = Reply(NOT_A_CHOICE.format(text) if text else HINT, kind="hint")
            return Turn((reply,)) if await self.first_delivery(incoming) else ALREADY_HANDLED
        conv = await self.turns.conversation(user_key)
        pending = context.pending(conv, now)
        if conv and (pending == "handoff" or (pending == "comment" and not text.endswith("?"))):
            return await feedback.pending_text(self, incoming, conv, user_key, text, now)
        follow = self.discussed(conv, now)
        result = await self._understood(conv, pending, user_key, text, follow)
        if result.aspect is None and (part := context.asked_part(pending)):
            result = replace(result, aspect=part)  # "phí bao nhiêu?" … "giấy phép bưu chính"
        procedure = result.best.procedure if result.outcome == "answer" and result.best else None
        if procedure is None and follow and self._is_about(result, follow):
            procedure = follow
        changes: dict[str, object] = dict(NOT_PENDING) if pending else {}
        if procedure is not None:
            changes |= {"procedure_key": procedure.key, "context_at": now}
            changes["interaction_id"] = THIS_INTERACTION  # the last answer shown
        elif context.names_nothing(result):  # the next question may name the procedure
            until = now + timedelta(minutes=self.context_minutes)
            changes |= {"pending": f"{context.PART}{result.aspect}", "pending_until": until}
        elif result.outcome == "clarify":  # the next text may pick among the choices
            until = now + timedelta(minutes=self.comment_minutes)
            changes |= {"pending": REFINE, "pending_until": until}
            changes["pending_interaction_id"] = THIS_INTERACTION
        record = TurnRecord(
            incoming.channel,
            incoming.event_id,
            user_key,
            interaction=self._interaction(text, result, procedure),
            conversation=changes,
        )
        recorded = await self._write(record)
        if recorded is None:
            return ALREADY_HANDLED
        interaction_id = recorded.interaction_id
        assert interaction_id is not None  # every question is recorded
        if procedure is None:
            return Turn(tuple(self._no_answer(result, interaction_id)))
        asked = text if result.deadline else None
        card = self.card(
            procedure,
            result.aspect,
            interaction_id,
            deadline_asked=asked,
            unoffered=result.unoffered,  # empty unless answered: then `procedure` is the best
        )
        return Turn((card, survey.rating_request(interaction_id, procedure.key)))

    async def _write(self, record: TurnRecord) -> Recorded | None:
        """The turn written; None when its delivery was already taken (nothing written)."""
        recorded = await self.turns.record(record)
        if recorded.claimed:
            return recorded
        log.info("%s event %s already handled", record.channel, record.event_id)
        return None

    def _no_answer(self, result: MatchResult, interaction_id: int) -> list[Reply]:
        if result.outcome == "smalltalk" and result.smalltalk in ABOUT_US:
            about = browse.contact_reply if result.smalltalk == "contact" else browse.status_reply
            return [about(self.knowledge)]
        if context.asks_which(result):
            return [browse.which_procedure_reply(self.knowledge, result.aspect or "time")]
        if result.outcome == "clarify":
            choices = tuple(
                Button(m.procedure.name, action=f"pick:{interaction_id}:{m.procedure.key}")
                for m in offered(result.matches)
            )
            text = COMPARED if result.compared else WHICH_ONE
            return [Reply(text, buttons=choices, kind="clarify", interaction_id=interaction_id)]
        if result.outcome == "smalltalk" and result.smalltalk:
            reply = smalltalk_reply(result.smalltalk, self.knowledge.agency.name)
            unhappy = result.smalltalk == "complaint"
            buttons = self._ask_staff(interaction_id) if unhappy else ()
            return [Reply(reply, buttons=buttons, kind="smalltalk")]
        return [self.fallback(interaction_id)]

    def card(
        self,
        procedure: Procedure,
        aspect: str | None,
        interaction_id: int | None,
        *,
        deadline_asked: str | None = None,
        unoffered: frozenset[str] = frozenset(),
    ) -> Reply:
        """The answer card; `deadline_asked` is a question asking when the result will be
        ready ("nộp thứ 6 thì bao giờ có?"): the date is worked out first; `unoffered`, the
        changes asked that the procedure does not do (`MatchResult.unoffered`)."""
        lead = "time" if deadline_asked else ASPECT_TO_SECTION.get(aspect or "")
        notes = []
        if deadline_asked:
            counted = procedure.processing_time.counted
            notes.append(deadline_note(counted, deadline_asked, self.clock()))
        if unoffered:
            notes.append(unoffered_note(unoffered))
        note = "\n".join(notes) or None
        buttons = section_buttons(procedure, exclude=lead) + self._ask_staff(interaction_id)
        return Reply(
            card_text(procedure, lead, note),
            title=procedure.name,
            buttons=buttons,
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
        buttons = self._ask_staff(interaction_id)
        return Reply(text, buttons=buttons, kind="fallback", interaction_id=interaction_id)

    def _ask_staff(self, interaction_id: int | None) -> tuple[Button, ...]:
        """The button that hands the conversation to staff, where there are staff to ask."""
        if self.handoff_enabled and interaction_id:
            return (survey.ask_staff(interaction_id),)
        return ()

    # ------------------------------------------------------------ buttons

    async def handle_action(self, incoming: Incoming) -> Turn:
        """Stateless button payloads (each ≤ 64 bytes, so any replica can handle a tap):
        moving around the knowledge base (navigation.py), the survey and handoff (feedback.py).
        """
        kind, _, rest = (incoming.action or "").partition(":")
        turn = await navigation.handle(self, incoming, kind, rest)
        if turn is None:
            first, _, second = rest.partition(":")
            turn = await feedback.handle_survey_action(self, incoming, kind, as_int(first), second)
        if turn is None:
            log.info("unknown action %r", incoming.action)
            return Turn((Reply(HINT, kind="hint"),))
        return turn

    def find(self, key: str) -> tuple[Procedure | None, bool]:
        """The procedure for a key from an old button, and whether it changed since."""
        if key in self._by_key:
            return self._by_key[key], False
        return self._by_slug.get(key), True  # a slug key replaced by a published code

    # ------------------------------------------------------------ storage helpers

    def _interaction(
        self, text: str, result: MatchResult, procedure: Procedure | None
    ) -> dict[str, object]:
        """The question as recorded (masked: citizens type phone numbers and ids)."""
        best = result.best if result.outcome == "answer" else None
        return {
            "question": mask_personal_data(text),
            "normalized": mask_personal_data(result.analysis.text),
            "outcome": _outcome(result, procedure),
            "procedure_key": procedure.key if procedure else None,
            "confidence": result.confidence if best else None,  # None on a context follow-up
            "aspect": result.aspect,
        }

    async def _understood(
        self,
        conv: ConversationState | None,
        pending: str | None,
        user_key: str,
        text: str,
        follow: Procedure | None,
    ) -> MatchResult:
        """The question on its own; else, right after choices were offered and none tapped,
        read with the question that got them ("x quang" … "cái khai báo"); else settled by
        the procedure under discussion."""
        result = self.matcher.search(text, context=follow.key if follow else None)
        if result.outcome == "answer" and not result.by_context:
            return result  # on its own
        if pending == REFINE and conv:
            async with self.sessionmaker() as session:
                earlier = await self.own_interaction(session, conv.pending_interaction_id, user_key)
            if earlier and earlier.question and earlier.procedure_key is None:
                refined = self.matcher.search(f"{earlier.question} {text}")
                if refined.outcome == "answer":
                    return refined
        return result

    async def own_interaction(
        self, session: AsyncSession, interaction_id: int | None, user_key: str
    ) -> Interaction | None:
        """The interaction, if it exists and belongs to this user (buttons can be forged)."""
        if interaction_id is None or interaction_id < 0:
            return None
        interaction = await session.get(Interaction, interaction_id)
        return interaction if interaction and interaction.user_key == user_key else None

    async def remember(
        self,
        session: AsyncSession,
        user_key: str,
        key: str,
        interaction_id: int | None,
        now: datetime | None,
    ) -> None:
        values: dict[str, object] = {"procedure_key": key, "context_at": now or self.clock()}
        if interaction_id is not None:
            values["interaction_id"] = interaction_id
        await repo.update_conversation(session, user_key=user_key, **values)

    async def set_pending(
        self, session: AsyncSession, user_key: str, pending: str, interaction_id: int
    ) -> None:
        until = self.clock() + timedelta(minutes=self.comment_minutes)
        await repo.update_conversation(
            session,
            user_key=user_key,
            pending=pending,
            pending_interaction_id=interaction_id,
            pending_until=until,
        )

    async def clear_pending(self, session: AsyncSession, user_key: str) -> None:
        await repo.update_conversation(session, user_key=user_key, **NOT_PENDING)

    def _is_about(self, result: MatchResult, procedure: Procedure) -> bool:
        return context.is_follow_up(result, self.matcher.words_of(procedure.key))

    def discussed(self, conv: ConversationState | None, now: datetime) -> Procedure | None:
        if conv and context.still_valid(conv.context_at, now, self.context_minutes):
            return self.procedure(conv.procedure_key)
        return None


def _outcome(result: MatchResult, procedure: Procedure | None) -> str:
    """The interaction's outcome: asking which procedure is meant is a clarification, not a
    gap in the knowledge base for staff to fill."""
    if procedure is not None:
        return "answer"
    return "clarify" if context.asks_which(result) else result.outcome
