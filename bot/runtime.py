"""Start-up shared by every entry point: database migrated, knowledge loaded, core built."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.core.assistant import Assistant
from bot.db import repo
from bot.db.session import (
    DatabaseUnavailable,
    describe_unreachable,
    make_engine,
    make_sessionmaker,
    upgrade,
)
from bot.knowledge import KnowledgeBase, load_knowledge


@dataclass
class Runtime:
    """What a running bot holds: the engine, its sessions and the assistant."""

    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    assistant: Assistant
    knowledge_version: int | None = None  # of the knowledge the assistant was built with

    async def close(self) -> None:
        self.assistant.close()
        await self.engine.dispose()


async def open_database(settings: Settings) -> tuple[AsyncEngine, async_sessionmaker]:
    """Engine and sessions on a migrated database, or DatabaseUnavailable."""
    engine = make_engine(settings.database_url)
    try:
        await upgrade(engine)
    except DBAPIError as exc:
        await engine.dispose()
        raise DatabaseUnavailable(describe_unreachable(engine, exc.orig or exc)) from None
    except DatabaseUnavailable:
        await engine.dispose()
        raise
    return engine, make_sessionmaker(engine)


async def stored_or_seeded_knowledge(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> tuple[KnowledgeBase, int]:
    """The database's knowledge base and its version, filled from the knowledge files on
    first run."""
    async with sessionmaker.begin() as session:
        kb = await repo.load_knowledge_base(session)
        if kb is None:
            await repo.sync_knowledge(session, kb=load_knowledge(settings.knowledge_dir))
            kb = await repo.load_knowledge_base(session)
        version = await repo.knowledge_version(session)
    assert kb is not None
    return kb, version


async def start(settings: Settings) -> Runtime:
    engine, sessionmaker = await open_database(settings)
    try:
        knowledge, version = await stored_or_seeded_knowledge(sessionmaker, settings)
    except BaseException:
        await engine.dispose()
        raise
    assistant = Assistant(
        sessionmaker=sessionmaker,
        knowledge=knowledge,
        pseudonym_key=settings.pseudonym_key.get_secret_value(),
        max_question_chars=settings.max_question_chars,
        thresholds=settings.thresholds(),
        context_minutes=settings.context_minutes,
        comment_minutes=settings.comment_minutes,
        handoff_enabled=settings.staff_chat_id is not None,
    )
    return Runtime(engine, sessionmaker, assistant, version)
