"""A batch's statements run as one plain function: on SQLite, in one hand-off to a thread.

aiosqlite runs every driver call in its own thread and wakes the event loop for each result:
a turn's read and write cost 18 such hand-offs. Here a SQLite batch runs whole in a worker
thread, on a synchronous engine over the same file: one hand-off per batch. PostgreSQL's
driver is asynchronous already; its batch runs in the async connection (`run_sync`), which
spares the per-statement switches too. An in-memory SQLite database is the async engine's
alone: it stays on the async path. Measured in bench/README.md (ninth session).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.session import sqlite_pragmas

Arg = TypeVar("Arg")
Result = TypeVar("Result")
Work = Callable[[Connection, Arg], Result]


class Batches:
    """Runs `work(connection, arg)` on `engine`'s database, reading or in a transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._twin: Engine | None = None
        self._threads: ThreadPoolExecutor | None = None
        if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            self._twin = create_engine(engine.url.set(drivername="sqlite+pysqlite"))
            event.listen(self._twin, "connect", sqlite_pragmas)
            # a read batch and a write batch may run at once, as on the async engine
            self._threads = ThreadPoolExecutor(2, thread_name_prefix="sqlite-batches")

    async def read(self, work: Work[Arg, Result], arg: Arg) -> Result:
        """Without a transaction: on PostgreSQL autocommit spares BEGIN and ROLLBACK; SQLite
        starts none for a SELECT."""
        if self._twin is not None:
            return await self._in_thread(self._twin.connect, work, arg)
        async with self._engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            return await connection.run_sync(work, arg)

    async def write(self, work: Work[Arg, Result], arg: Arg) -> Result:
        """All or nothing."""
        if self._twin is not None:
            return await self._in_thread(self._twin.begin, work, arg)
        async with self._engine.begin() as connection:
            return await connection.run_sync(work, arg)

    async def _in_thread(
        self,
        connect: Callable[[], AbstractContextManager[Connection]],
        work: Work[Arg, Result],
        arg: Arg,
    ) -> Result:
        def run() -> Result:
            with connect() as connection:
                return work(connection, arg)

        return await asyncio.get_running_loop().run_in_executor(self._threads, run)

    def close(self) -> None:
        if self._twin is not None:
            self._twin.dispose()
        if self._threads is not None:
            self._threads.shutdown(wait=False)
