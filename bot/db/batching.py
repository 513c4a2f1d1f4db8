"""Group commit: the writes of concurrent callers share one transaction.

Every message's turn reads a conversation and writes a claim, an interaction and the
conversation back. Done one by one, each of those pays its own transaction, pool checkout
and round trips, which cost the bot more CPU than the database work itself (bench/README.md,
load benchmark). Here a caller's item waits only while the previous batch is running; then
everything queued meanwhile goes together. Alone, an item goes at once: no timer, no delay
when the bot is quiet.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommit(Generic[Item, Result]):
    """Calls `flush(items)` → one result per item, for the items of concurrent callers.

    A failed batch is retried item by item, so one bad item fails only its own caller. A
    caller that gives up (cancelled) does not cancel the batch: the others' writes land.
    """

    def __init__(
        self,
        flush: Callable[[Sequence[Item]], Awaitable[Sequence[Result]]],
        most: int = 500,  # items per flush: statements stay of a size every database takes
    ) -> None:
        self._flush, self._most = flush, most
        self._queue: list[tuple[Item, asyncio.Future[Result]]] = []
        self._running: asyncio.Task[None] | None = None

    async def __call__(self, item: Item) -> Result:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._running is None:
            self._start()
        return await future

    def _start(self) -> None:
        self._running = asyncio.create_task(self._run())
        self._running.add_done_callback(self._next)

    def _next(self, task: asyncio.Task[None]) -> None:
        self._running = None
        if self._queue:
            self._start()

    async def _run(self) -> None:
        # whoever queued before this task got to run, up to `most`; the rest go next
        batch, self._queue = self._queue[: self._most], self._queue[self._most :]
        try:
            await self._settle(batch)
        finally:  # cancelled with the loop: nobody may wait forever
            for _, future in batch:
                future.cancel()  # no effect on a settled future

    async def _settle(self, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        try:
            results = await self._flush([item for item, _ in batch])
        except Exception as exc:
            if len(batch) == 1:
                _resolve(batch[0][1], exc)
                return
            log.warning("batch of %d failed (%s); retrying one by one", len(batch), exc)
            for one in batch:
                await self._settle([one])
            return
        for (_, future), result in zip(batch, results, strict=True):
            _resolve(future, result)


def _resolve(future: asyncio.Future[Result], outcome: Result | Exception) -> None:
    if future.done():  # its caller was cancelled
        return
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
