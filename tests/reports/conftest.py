"""A year of interactions, ratings and handoffs whose figures are worked out by hand in the tests.

Times are written in Vietnamese local time (UTC+7) and stored in UTC, as the bot stores them;
several sit right on a period boundary.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db import repo
from bot.db.models import Feedback, Handoff, Interaction
from bot.knowledge import load_knowledge
from bot.runtime import open_database

ICT = timezone(timedelta(hours=7))
P1, P2, P3, GONE = "2.002131", "1.000000", "cap-giay-phep-tien-hanh-cong-viec-dc5cc2", "9.999999"


def local(*args: int) -> datetime:
    """A Vietnamese local time, as the UTC instant the database stores."""
    return datetime(*args, tzinfo=ICT).astimezone(UTC)  # type: ignore[misc]


@dataclass(frozen=True)
class Row:
    name: str
    at: datetime
    channel: str
    outcome: str
    procedure: str | None = None
    score: int | None = None
    enough: bool | None = None
    normalized: str | None = None
    question: str | None = None
    comment: str | None = None


ROWS = [
    Row("A", local(2026, 1, 1, 0, 30), "telegram", "answer", P1, 5, True),
    Row("B", local(2025, 12, 31, 23, 30), "telegram", "answer", P1, 1),  # last year
    Row("C", local(2026, 2, 10, 9), "telegram", "answer", P1, 4, False),
    Row(
        "D",
        local(2026, 2, 11, 10),
        "zalo",
        "answer",
        P1,
        score=2,
        normalized="khai bao may x quang",
        question="khai báo máy x quang",
        comment="thiếu mẫu đơn",
    ),
    Row("E", local(2026, 3, 5, 8), "console", "clarify"),
    Row(
        "F",
        local(2026, 3, 6, 8),
        "telegram",
        "fallback",
        normalized="xin cap the can cuoc",
        question="Xin cấp thẻ căn cước",
    ),
    Row("M", local(2026, 4, 1, 8), "telegram", "smalltalk", normalized="xin chao"),
    Row(
        "G",
        local(2026, 5, 20, 8),
        "zalo",
        "fallback",
        normalized="xin cap the can cuoc",
        question="xin cấp thẻ căn cước?",
    ),
    Row("H", local(2026, 5, 21, 8), "telegram", "answer", P2, 3, True),
    Row("N", local(2026, 6, 10, 8), "telegram", "fallback", normalized="le phi cap phep"),
    Row("I", local(2026, 7, 15, 8), "telegram", "clarify", P3, 5, True),  # clarified, then picked
    Row("J", local(2026, 8, 1, 8), "zalo", "answer", GONE, 4),  # procedure deleted since
    Row("K", local(2026, 9, 30, 23, 59), "telegram", "answer", P2),
    Row("L", local(2026, 10, 1, 0, 0), "telegram", "answer", P2, 1),  # fourth quarter
]
# (interaction or None, procedure or None, channel, local time)
HANDOFF_ROWS = [
    ("D", None, "zalo", local(2026, 2, 11, 10, 5)),  # procedure from the interaction: P1
    (None, P2, "telegram", local(2026, 5, 25, 8)),  # "Hỏi cán bộ" on a card, no question
    (None, None, "telegram", local(2026, 6, 1, 8)),
    ("I", None, "telegram", local(2026, 7, 15, 8, 5)),
    ("L", None, "telegram", local(2026, 10, 1, 0, 5)),  # fourth quarter
]


async def insert_rows(session: AsyncSession) -> dict[str, int]:
    ids: dict[str, int] = {}
    for row in ROWS:
        interaction = Interaction(
            created_at=row.at,
            channel=row.channel,
            user_key=f"user-{row.name}",
            question=row.question or f"câu hỏi {row.name}",
            normalized=row.normalized or f"cau hoi {row.name.lower()}",
            procedure_key=row.procedure,
            confidence=0.9 if row.procedure else None,
            outcome=row.outcome,
        )
        session.add(interaction)
        await session.flush()
        ids[row.name] = interaction.id
        if row.score is not None:
            session.add(
                Feedback(
                    interaction_id=interaction.id,
                    user_key=f"user-{row.name}",
                    score=row.score,
                    enough_info=row.enough,
                    comment=row.comment,
                    created_at=row.at,
                )
            )
    return ids


async def insert_handoffs(session: AsyncSession, ids: dict[str, int]) -> None:
    for number, (name, procedure, channel, at) in enumerate(HANDOFF_ROWS):
        session.add(
            Handoff(
                interaction_id=ids[name] if name else None,
                channel=channel,
                user_key=f"user-{name}",
                chat_id=str(1000 + number),
                procedure_key=procedure,
                question=f"câu hỏi chuyển cán bộ {number}",
                created_at=at,
            )
        )


@pytest.fixture
async def empty_db(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A migrated database holding the test knowledge base and no interactions."""
    engine, sessionmaker = await open_database(settings)
    async with sessionmaker.begin() as session:
        await repo.sync_knowledge(session, kb=load_knowledge(settings.knowledge_dir))
    yield sessionmaker
    await engine.dispose()


@pytest.fixture
async def report_db(
    empty_db: async_sessionmaker[AsyncSession],
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """`empty_db` plus the interactions, ratings and handoffs above."""
    async with empty_db.begin() as session:
        await insert_handoffs(session, await insert_rows(session))
    yield empty_db
