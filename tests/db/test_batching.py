"""Group commit: concurrent callers share a flush; a failure or a cancelled caller costs
only its own item."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from bot.db.batching import GroupCommit


class Recorder:
    """A flush that doubles each number, remembers its batches and can be held or fail."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.hold = asyncio.Event()
        self.hold.set()

    async def __call__(self, items: Sequence[int]) -> list[int]:
        self.batches.append(list(items))
        await self.hold.wait()
        if any(item < 0 for item in items):
            raise ValueError("negative")
        return [2 * item for item in items]


async def test_concurrent_callers_share_one_flush_and_get_their_own_result() -> None:
    flush = Recorder()
    group = GroupCommit(flush)
    assert await asyncio.gather(*(group(i) for i in range(5))) == [0, 2, 4, 6, 8]
    assert flush.batches == [[0, 1, 2, 3, 4]]
    assert await group(7) == 14  # alone: at once, a batch of one
    assert flush.batches[-1] == [7]


async def test_a_flush_takes_at_most_its_share_and_the_rest_go_next() -> None:
    flush = Recorder()
    group = GroupCommit(flush, most=2)
    assert await asyncio.gather(*(group(i) for i in range(5))) == [0, 2, 4, 6, 8]
    assert flush.batches == [[0, 1], [2, 3], [4]]


async def test_items_queued_while_a_flush_runs_go_together_next() -> None:
    flush = Recorder()
    group = GroupCommit(flush)
    flush.hold.clear()
    first = asyncio.ensure_future(group(1))
    await asyncio.sleep(0.01)
    later = [asyncio.ensure_future(group(i)) for i in (2, 3, 4)]
    await asyncio.sleep(0.01)
    assert flush.batches == [[1]]
    flush.hold.set()
    assert await asyncio.gather(first, *later) == [2, 4, 6, 8]
    assert flush.batches == [[1], [2, 3, 4]]


async def test_a_failed_batch_is_retried_one_by_one() -> None:
    flush = Recorder()
    group = GroupCommit(flush)
    results = await asyncio.gather(group(1), group(-1), group(3), return_exceptions=True)
    assert results[0] == 2 and results[2] == 6
    assert isinstance(results[1], ValueError)
    assert flush.batches == [[1, -1, 3], [1], [-1], [3]]


async def test_a_cancelled_caller_does_not_cancel_the_batch() -> None:
    flush = Recorder()
    group = GroupCommit(flush)
    flush.hold.clear()
    gives_up, waits = asyncio.ensure_future(group(1)), asyncio.ensure_future(group(2))
    await asyncio.sleep(0.01)
    gives_up.cancel()
    flush.hold.set()
    assert await waits == 4
    with pytest.raises(asyncio.CancelledError):
        await gives_up
    assert flush.batches == [[1, 2]]  # its write was not taken back
    assert await group(5) == 10  # and the group still works
