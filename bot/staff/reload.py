"""Live reload: every running app watches the knowledge version and rebuilds its matcher.

Each knowledge change bumps `knowledge_meta["version"]` in the same transaction
(`repo.bump_version`). A watcher polls that one primary-key row every `interval` seconds —
one indexed SELECT, the same on SQLite and PostgreSQL — and, when it moved, loads the knowledge
base and calls `assistant.reload`, so an edit reaches every replica within seconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.assistant import Assistant
from bot.db import repo

log = logging.getLogger(__name__)

INTERVAL = 2.0


class KnowledgeWatcher:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        assistant: Assistant,
        interval: float = INTERVAL,
        version: int | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.assistant = assistant
        self.interval = interval
        # the version the assistant's knowledge was loaded at (None, unknown: the first check
        # reloads); a needless rebuild at start would also undo `gc.freeze()` for the index
        self.version = version
        self._lock = asyncio.Lock()

    routes: tuple = ()  # a WebComponent of the serve app with no routes of its own

    def lifespan(self) -> AbstractAsyncContextManager[None]:
        return self.running()

    async def check(self) -> bool:
        """Reload if the stored version differs from the loaded one; True if reloaded."""
        async with self._lock:
            async with self.sessionmaker() as session:
                version = await repo.knowledge_version(session)
                if version == self.version:
                    return False
                knowledge = await repo.load_knowledge_base(session)
            if knowledge is not None:
                self.assistant.reload(knowledge)
                if self.version is not None:
                    log.info("knowledge version %s loaded", version)
            self.version = version
            return True

    async def run(self) -> None:
        while True:
            try:
                await self.check()
            except Exception:  # a database hiccup must not stop the watching
                log.warning("knowledge version check failed", exc_info=True)
            await asyncio.sleep(self.interval)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Watch in the background while the block runs."""
        task = asyncio.create_task(self.run(), name="knowledge-watcher")
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
