"""Live reload: two replicas on one database; an edit through A is answered by B within 5 s."""

from __future__ import annotations

import asyncio
import time

import httpx
from sqlalchemy import select

from bot.admin.forms import form_values
from bot.channels.web import build_web_app, components
from bot.config import Settings
from bot.core.messages import Incoming
from bot.db import repo
from bot.db.models import ProcedureRow
from bot.runtime import start
from bot.staff.reload import KnowledgeWatcher

from ..fakes.telegram_api import serve
from .conftest import EDITOR, EDITOR_PASSWORD, Staff, add_staff

KEY = "2.002131"
QUESTION = "khai báo máy x quang hết bao nhiêu tiền"


async def test_edit_through_one_replica_is_answered_by_the_other_within_5_s(
    admin_settings: Settings,
) -> None:
    a, b = await start(admin_settings), await start(admin_settings)
    await add_staff(a)
    try:
        app_a = build_web_app(a, components(admin_settings, a))
        app_b = build_web_app(b, components(admin_settings, b))
        async with serve(app_a) as url_a, serve(app_b):
            before = await b.assistant.handle(Incoming("console", "citizen", QUESTION))
            assert "987.654 đồng" not in before[0].text
            async with httpx.AsyncClient(base_url=url_a) as client:
                staff = Staff(client)
                assert (await staff.login(EDITOR, EDITOR_PASSWORD)).status_code == 302
                async with a.sessionmaker() as session:
                    row = (
                        await session.scalars(select(ProcedureRow).where(ProcedureRow.key == KEY))
                    ).one()
                form = form_values(repo.row_to_procedure(row))
                form["fees"] = "Phí thẩm định | 987.654"
                saved = await staff.post(f"/admin/procedure/edit/{row.id}", form)
                assert saved.status_code == 302, saved.text
            edited = time.monotonic()
            while time.monotonic() - edited < 5:
                reply = (await b.assistant.handle(Incoming("console", "citizen", QUESTION)))[0]
                if "987.654 đồng" in reply.text:
                    break
                await asyncio.sleep(0.2)
            else:
                raise AssertionError("replica B still answers with the old fee after 5 s")
            assert reply.procedure_key == KEY
    finally:
        await a.close()
        await b.close()


async def test_a_replica_does_not_rebuild_at_start_what_it_just_built(
    admin_settings: Settings,
) -> None:
    """The first check only confirms the version start-up loaded (a rebuild would undo the
    serve command's `gc.freeze()` of the index); a later edit is still picked up."""
    runtime = await start(admin_settings)
    try:
        built = runtime.assistant.matcher
        watcher = KnowledgeWatcher(
            runtime.sessionmaker, runtime.assistant, version=runtime.knowledge_version
        )
        assert not await watcher.check()
        assert runtime.assistant.matcher is built
        async with runtime.sessionmaker.begin() as session:
            await repo.bump_version(session)
        assert await watcher.check()
        assert runtime.assistant.matcher is not built
    finally:
        await runtime.close()
