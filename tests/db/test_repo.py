"""Storage on SQLite and PostgreSQL: idempotent import, interactions, one feedback per answer."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, event, func, select, text

from bot.config import Settings
from bot.core.context import aware
from bot.db import repo
from bot.db.models import Feedback, Interaction, ProcedureRow, utcnow
from bot.db.repo.turns import THIS_INTERACTION, Recorded, TurnRecord, Turns
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


# PostgreSQL stamps each row with the transaction that wrote it
TRANSACTIONS_THAT_WROTE = text(
    "SELECT count(DISTINCT xmin::text) FROM (SELECT xmin FROM interactions"
    " UNION ALL SELECT xmin FROM inbound_events UNION ALL SELECT xmin FROM conversations) AS t"
)


async def test_concurrent_turns_are_written_together_once_each(settings: Settings) -> None:
    """Turns: concurrent writes share one transaction; a delivery is claimed once, even
    twice in one batch; a user's turns apply in order; nothing is written for a turn whose
    delivery was already taken. The same on SQLite and PostgreSQL (there on asyncpg itself,
    out of SQLAlchemy's sight: its transactions are counted by the database)."""
    engine, sessionmaker = await open_database(settings)
    commits: list[None] = []

    def count(_: object) -> None:
        commits.append(None)

    # every engine's: on SQLite, Turns writes through a synchronous twin of `engine`
    event.listen(Engine, "commit", count)
    turns = Turns(sessionmaker)
    asked = {"question": "q", "normalized": "q", "outcome": "answer", "aspect": "fee"}
    answer = {"procedure_key": "2.002131", "context_at": utcnow()}
    try:
        written = await asyncio.gather(
            turns.record(
                TurnRecord(
                    "telegram", "7", "u1", asked, answer | {"interaction_id": THIS_INTERACTION}
                )
            ),
            turns.record(TurnRecord("telegram", "7", "u1", asked)),  # the same delivery again
            turns.record(TurnRecord("zalo", "7", "u2")),  # another channel's 7: claim only
            turns.record(
                TurnRecord(
                    "telegram",
                    "8",
                    "u1",
                    asked | {"outcome": "clarify"},
                    {"pending": "refine", "pending_interaction_id": THIS_INTERACTION},
                )
            ),
        )
        if engine.dialect.name == "postgresql":
            async with sessionmaker() as session:
                assert await session.scalar(TRANSACTIONS_THAT_WROTE) == 1
        else:
            assert len(commits) == 1
        first, second = written[0].interaction_id, written[3].interaction_id
        assert [w.claimed for w in written] == [True, False, True, True]
        assert first is not None and second is not None and first < second
        assert written[1].interaction_id is None and written[2].interaction_id is None

        again = await turns.record(TurnRecord("telegram", "8", "u1", asked, {"pending": None}))
        assert again == Recorded(claimed=False)

        u1, u2, u1_again = await asyncio.gather(
            turns.conversation("u1"), turns.conversation("u2"), turns.conversation("u1")
        )
        assert u2 is None and u1 == u1_again and u1 is not None
        assert (u1.procedure_key, u1.interaction_id) == ("2.002131", first)
        assert aware(u1.context_at) == answer["context_at"]  # stored as SQLAlchemy stores it
        assert (u1.pending, u1.pending_interaction_id) == ("refine", second)
        async with sessionmaker() as session:
            rows = (await session.execute(select(Interaction).order_by(Interaction.id))).scalars()
            stored = [(i.id, i.channel, i.user_key, i.outcome, aware(i.created_at)) for i in rows]
        assert stored == [
            (first, "telegram", "u1", "answer", stored[0][-1]),
            (second, "telegram", "u1", "clarify", stored[0][-1]),  # one batch, one time
        ]
        assert abs(stored[0][-1] - answer["context_at"]) < timedelta(minutes=1)
    finally:
        event.remove(Engine, "commit", count)
        turns.close()
        await engine.dispose()


async def test_turns_of_different_users_are_written_together(settings: Settings) -> None:
    """The common batch, every turn another user's: deliveries claimed or already taken, new
    interactions' ids in the right conversation columns, a new conversation and a changed
    one whose other columns stay, all in one transaction."""
    engine, sessionmaker = await open_database(settings)
    turns = Turns(sessionmaker)
    asked = {"question": "q", "normalized": "q", "outcome": "answer", "aspect": None}
    started = utcnow()
    until = started + timedelta(minutes=30)
    try:
        before = await turns.record(
            TurnRecord("telegram", "1", "u1", asked, {"procedure_key": "old", "pending": "x"})
        )
        await turns.record(TurnRecord("telegram", "9", "u0"))  # takes delivery 9
        written = await asyncio.gather(
            turns.record(
                TurnRecord(
                    "telegram",
                    "10",
                    "u1",
                    asked,
                    {"procedure_key": "2.002131", "interaction_id": THIS_INTERACTION},
                )
            ),
            turns.record(TurnRecord("telegram", "9", "u2", asked, {"pending": "lost"})),
            turns.record(TurnRecord("zalo", "10", "u3", None, {"pending": "part:fee"})),
            turns.record(
                TurnRecord(
                    "telegram",
                    None,
                    "u4",
                    asked | {"outcome": "clarify"},
                    {"pending_interaction_id": THIS_INTERACTION, "pending_until": until},
                )
            ),
            turns.record(TurnRecord("telegram", "11", "u5", asked | {"aspect": "fee"})),
        )
        ids = [w.interaction_id for w in written]
        assert [w.claimed for w in written] == [True, False, True, True, True]
        assert ids[1] is None and ids[2] is None
        assert before.interaction_id is not None
        assert before.interaction_id < ids[0] < ids[3] < ids[4]  # type: ignore[operator]

        u1, u2, u3, u4, u5 = await asyncio.gather(
            *(turns.conversation(f"u{i}") for i in range(1, 6))
        )
        assert u1 is not None and u3 is not None and u4 is not None
        assert (u1.procedure_key, u1.interaction_id, u1.pending) == ("2.002131", ids[0], "x")
        assert u2 is None and u5 is None
        assert (u3.pending, u3.procedure_key, u3.interaction_id) == ("part:fee", None, None)
        assert (u4.pending_interaction_id, aware(u4.pending_until)) == (ids[3], until)
        assert abs(aware(u1.updated_at) - started) < timedelta(minutes=1)
        async with sessionmaker() as session:
            rows = await session.execute(
                select(Interaction.id, Interaction.user_key, Interaction.outcome)
                .where(Interaction.id.in_(ids))
                .order_by(Interaction.id)
            )
            assert rows.all() == [
                (ids[0], "u1", "answer"),
                (ids[3], "u4", "clarify"),
                (ids[4], "u5", "answer"),
            ]
            if engine.dialect.name == "postgresql":
                batch = text(
                    "SELECT count(DISTINCT xmin::text) FROM (SELECT xmin FROM interactions"
                    " WHERE id >= :first UNION ALL SELECT xmin FROM conversations"
                    " WHERE user_key IN ('u1', 'u3', 'u4') UNION ALL SELECT xmin"
                    " FROM inbound_events WHERE event_id IN ('10', '11')) AS t"
                )
                assert await session.scalar(batch, {"first": ids[0]}) == 1
    finally:
        turns.close()
        await engine.dispose()
