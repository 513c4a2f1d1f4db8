"""The engine outlives the connections a database server drops (a restart, a failover)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from bot.db.session import make_engine

from ..conftest import POSTGRES_URL, _admin

TERMINATE_OTHERS = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


@pytest.mark.skipif(not POSTGRES_URL, reason="TEST_DATABASE_URL not set")
async def test_a_connection_the_server_closed_is_replaced_not_used(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    try:
        async with engine.connect() as connection:  # back in the pool afterwards
            before = await connection.scalar(text("SELECT pg_backend_pid()"))
        _admin(postgres_url, TERMINATE_OTHERS)
        await asyncio.sleep(0.2)  # the server's goodbye reaches the idle pooled connection
        async with engine.connect() as connection:
            after = await connection.scalar(text("SELECT pg_backend_pid()"))
        assert after != before
    finally:
        await engine.dispose()
