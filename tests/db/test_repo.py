"""Storage on SQLite and PostgreSQL: idempotent import, interactions, one feedback per answer."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from bot.config import Settings
from bot.db import repo
from bot.db.models import Feedback, Interaction, ProcedureRow, utcnow
from bot.knowledge import load_knowledge
from bot.runtime import open_database


async def test_sync_adds_updates_removes_and_is_idempotent(
    settings: Settings, knowledge_dir: Path
) -> None:
    engine, sessionmaker = await open_database(settings)
    try:
        kb = load_knowledge(knowledge_dir)
        async with sessionmaker.begin() as session:
            first = await repo.sync_knowledge(session, kb=kb)
        assert len(first.added) == len(kb.procedures) and first.meta == ["agency", "synonyms"]
        async with sessionmaker.begin() as session:
            assert not await repo.sync_knowledge(session, kb=kb)
            assert await repo.knowledge_version(session) == 1

        path = knowledge_dir / "procedures" / "1.000000.yaml"
        path.write_text(path.read_text("utf-8").replace("working_days: null", "working_days: 7"))
        (knowledge_dir / "procedures" / "2.002131.yaml").unlink()
        async with sessionmaker.begin() as session:
            dry = await repo.sync_knowledge(session, kb=load_knowledge(knowledge_dir), dry_run=True)
        assert dry.updated == {"1.000000": ["processing_time"]} and dry.removed == ["2.002131"]
        async with sessionmaker.begin() as session:
            assert await session.scalar(select(func.count(ProcedureRow.id))) == 4
            await repo.sync_knowledge(session, kb=load_knowledge(knowledge_dir))
        async with sessionmaker() as session:
            stored = await repo.load_knowledge_base(session)
        assert stored is not None
        assert {p.key for p in stored.procedures} == {p.key for p in kb.procedures} - {"2.002131"}
        changed = next(p for p in stored.procedures if p.key == "1.000000")
        assert changed.processing_time.working_days == 7
        assert stored == load_knowledge(knowledge_dir)
    finally:
        await engine.dispose()


async def test_feedback_is_one_row_per_interaction(settings: Settings) -> None:
    engine, sessionmaker = await open_database(settings)
    try:
        async with sessionmaker.begin() as session:
            interaction_id = await repo.record_interaction(
                session,
                channel="console",
                user_key="u1",
                question="q",
                normalized="q",
                outcome="answer",
                procedure_key="2.002131",
                confidence=0.9,
            )
        for score in (5, 2):
            async with sessionmaker.begin() as session:
                await repo.save_feedback(
                    session, interaction_id=interaction_id, user_key="u1", score=score
                )
        async with sessionmaker.begin() as session:
            await repo.save_feedback(
                session, interaction_id=interaction_id, user_key="u1", enough_info=True
            )
            missing = await repo.save_feedback(
                session, interaction_id=interaction_id + 100, user_key="u1", score=5
            )
        assert missing is None
        async with sessionmaker() as session:
            rows = (await session.scalars(select(Feedback))).all()
        assert [(r.score, r.enough_info) for r in rows] == [(2, True)]
    finally:
        await engine.dispose()


async def test_a_turn_claims_once_reads_and_records_its_conversation(settings: Settings) -> None:
    """open_turn / record_question: one statement each on PostgreSQL, several on SQLite, and
    the same rows either way."""
    engine, sessionmaker = await open_database(settings)
    question = dict(
        channel="telegram", user_key="u1", question="q", normalized="q", outcome="answer",
        procedure_key="2.002131", confidence=0.9, aspect="fee",
    )  # fmt: skip
    try:
        async with sessionmaker.begin() as session:
            claimed, conversation = await repo.open_turn(
                session, channel="telegram", event_id="7", user_key="u1"
            )
            assert claimed and conversation is None
            context = {"procedure_key": "2.002131", "context_at": utcnow()}
            first = await repo.record_question(
                session, conversation=context, show_answer=True, **question
            )
        async with sessionmaker.begin() as session:
            again, _ = await repo.open_turn(
                session, channel="telegram", event_id="7", user_key="u1"
            )
            other_channel, _ = await repo.open_turn(
                session, channel="zalo", event_id="7", user_key="u1"
            )
            assert not again and other_channel
            await repo.update_conversation(
                session, user_key="u1", pending="comment", pending_interaction_id=first
            )
        async with sessionmaker.begin() as session:
            claimed, conversation = await repo.open_turn(
                session, channel="telegram", event_id="8", user_key="u1"
            )
            assert claimed and conversation is not None
            assert (conversation.procedure_key, conversation.interaction_id) == ("2.002131", first)
            assert conversation.pending == "comment"
            unanswered = question | {"outcome": "fallback", "procedure_key": None}
            cleared = {"pending": None, "pending_interaction_id": None}
            second = await repo.record_question(
                session, conversation=cleared, show_answer=False, **unanswered
            )
            third = await repo.record_question(
                session, conversation={}, show_answer=False, **unanswered
            )
        assert first < second < third
        async with sessionmaker() as session:
            _, conversation = await repo.open_turn(
                session, channel="console", event_id=None, user_key="u1"
            )
            rows = (await session.execute(select(Interaction).order_by(Interaction.id))).scalars()
            stored = [(i.id, i.outcome, i.procedure_key, i.aspect) for i in rows]
        assert conversation is not None and conversation.pending is None
        assert conversation.interaction_id == first  # the last answer shown, not a fallback
        assert stored == [
            (first, "answer", "2.002131", "fee"),
            (second, "fallback", None, "fee"),
            (third, "fallback", None, "fee"),
        ]
    finally:
        await engine.dispose()
