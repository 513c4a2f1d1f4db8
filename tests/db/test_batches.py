"""Batches: a batch's statements as one plain function, all or nothing; on SQLite in a thread."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, insert, select

from bot.config import Settings
from bot.db.batches import Batches
from bot.db.models import Conversation
from bot.db.session import make_engine, upgrade
from bot.runtime import open_database


def add_conversation(connection: Connection, user_key: str) -> None:
    connection.execute(insert(Conversation).values(user_key=user_key))


def count_conversations(connection: Connection, _: None) -> int:
    return connection.scalar(select(func.count()).select_from(Conversation)) or 0


async def test_a_failed_write_leaves_nothing(settings: Settings) -> None:
    engine, _ = await open_database(settings)
    batches = Batches(engine)

    def add_then_fail(connection: Connection, user_key: str) -> None:
        add_conversation(connection, user_key)
        raise RuntimeError("after the first statement")

    try:
        with pytest.raises(RuntimeError, match="after the first statement"):
            await batches.write(add_then_fail, "u1")
        assert await batches.read(count_conversations, None) == 0
        await batches.write(add_conversation, "u2")
        assert await batches.read(count_conversations, None) == 1
    finally:
        batches.close()
        await engine.dispose()


async def test_sqlite_waits_for_another_writer_without_blocking_the_bot(tmp_path: Path) -> None:
    """A SQLite write that waits for the lock (another replica's, a staff edit's) waits in its
    thread: the event loop keeps serving everyone else meanwhile. The thread's connections
    get the same settings as the async engine's."""
    path = tmp_path / "bot.sqlite3"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade(engine)
    batches = Batches(engine)
    other_writer = sqlite3.connect(path, isolation_level=None)
    try:
        pragma = "PRAGMA foreign_keys"
        assert await batches.read(lambda c, _: c.exec_driver_sql(pragma).scalar(), None) == 1
        other_writer.execute("BEGIN IMMEDIATE")
        write = asyncio.create_task(batches.write(add_conversation, "u1"))
        loop = asyncio.get_running_loop()
        start, ticks = loop.time(), 0
        while loop.time() - start < 0.3:
            await asyncio.sleep(0.01)
            ticks += 1
        assert not write.done() and ticks >= 10
        other_writer.execute("COMMIT")
        await asyncio.wait_for(write, 5)
        assert await batches.read(count_conversations, None) == 1
    finally:
        other_writer.close()
        batches.close()
        await engine.dispose()
