"""Unanswered questions in the admin: grouped, counted, turned into an alias or dismissed."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.core.messages import Incoming
from bot.db.models import AuditLog, UnansweredDismissal
from bot.runtime import Runtime

from .conftest import EDITOR, EDITOR_PASSWORD, KEY, VIEWER, VIEWER_PASSWORD, Staff, form_of

ASKED = [
    "xin cấp thẻ đo liều cá nhân",
    "Xin cap the do lieu ca nhan",
    "xin cấp thẻ đo liều cá nhân ạ",
]


async def ask(runtime: Runtime, text: str, user: str = "citizen") -> str:
    replies = await runtime.assistant.handle(Incoming("console", user, text))
    return replies[0].kind


def groups(html: str) -> list[tuple[str, int]]:
    rows = re.findall(r"<strong>([^<]+)</strong>.*?<td>(\d+)</td>", html, re.S)
    return [(text, int(count)) for text, count in rows]


async def test_similar_questions_form_one_group_and_alias_answers_at_once(
    staff: Staff, admin_runtime: Runtime
) -> None:
    for i, text in enumerate(ASKED):
        assert await ask(admin_runtime, text, f"u{i}") == "fallback"
    await ask(admin_runtime, "giờ làm việc của bộ phận một cửa thứ bảy", "u9")
    assert (await staff.login(EDITOR, EDITOR_PASSWORD)).status_code == 302
    page = await staff.get("/admin/unanswered")
    assert page.status_code == 200
    found = groups(page.text)
    assert found[0][1] == 3 and "đo liều" in found[0][0].lower()
    assert len(found) == 2
    texts = re.findall(r'name="texts" value="([^"]+)"', page.text.split("Bỏ qua")[0])
    response = await staff.post(
        "/admin/unanswered/alias",
        {"texts": texts, "procedure": KEY, "alias": "xin cấp thẻ đo liều cá nhân"},
    )
    assert response.status_code == 303
    assert await ask(admin_runtime, "xin cấp thẻ đo liều cá nhân") == "answer"
    after = await staff.get("/admin/unanswered")
    assert "Đã thêm" in after.text
    assert [count for _, count in groups(after.text)] == [1]
    async with admin_runtime.sessionmaker() as session:
        entry = (await session.scalars(select(AuditLog))).one()
        reasons = set(await session.scalars(select(UnansweredDismissal.reason)))
    assert entry.procedure_key == KEY and entry.who == EDITOR and list(entry.changes) == ["aliases"]
    assert "xin cấp thẻ đo liều cá nhân" in entry.changes["aliases"]["after"]
    assert reasons == {"alias"}


async def test_dismissed_group_leaves_until_asked_again_and_viewers_cannot_act(
    staff: Staff, admin_runtime: Runtime
) -> None:
    await ask(admin_runtime, "mua vé xem bóng đá ở đâu")
    assert (await staff.login(VIEWER, VIEWER_PASSWORD)).status_code == 302
    page = await staff.get("/admin/unanswered")
    assert "mua vé xem bóng đá" in page.text and "Bỏ qua" not in page.text
    refused = await staff.post("/admin/unanswered/dismiss", {"texts": ["mua ve xem bong da o dau"]})
    assert refused.status_code == 403
    await staff.get("/admin/logout")
    assert (await staff.login(EDITOR, EDITOR_PASSWORD)).status_code == 302
    page = await staff.get("/admin/unanswered")
    texts = re.findall(r'name="texts" value="([^"]+)"', page.text)
    assert (await staff.post("/admin/unanswered/dismiss", {"texts": texts})).status_code == 303
    assert "mua vé xem bóng đá" not in (await staff.get("/admin/unanswered")).text
    await ask(admin_runtime, "mua vé xem bóng đá ở đâu", "someone-else")
    assert groups((await staff.get("/admin/unanswered")).text) == [("mua vé xem bóng đá ở đâu", 1)]


def missing(html: str) -> list[tuple[str, int]]:
    table = html.split('id="missing-parts"')[1] if 'id="missing-parts"' in html else ""
    rows = re.findall(r"<tr>\s*<td>[^<]*</td>\s*<td>([^<]+)</td>\s*<td>(\d+)</td>", table)
    return [(part, int(count)) for part, count in rows]


async def test_parts_asked_but_missing_are_listed_until_staff_fill_them(
    staff: Staff, admin_runtime: Runtime
) -> None:
    """Answered, but with "chưa cập nhật": the declaration has no steps nor validity on file."""
    await ask(admin_runtime, "khai báo máy x quang gồm các bước nào", "a")
    await ask(admin_runtime, "các bước khai báo máy x quang", "b")
    await ask(admin_runtime, "giấy xác nhận khai báo máy x quang có hiệu lực bao lâu", "c")
    await ask(admin_runtime, "khai báo máy x quang lệ phí bao nhiêu", "d")  # on file
    assert (await staff.login(EDITOR, EDITOR_PASSWORD)).status_code == 302
    page = await staff.get("/admin/unanswered")
    assert missing(page.text) == [("Các bước", 2), ("Thời hạn hiệu lực của kết quả", 1)]
    assert groups(page.text.split('id="missing-parts"')[0]) == []  # all three were answered
    row_id, form = await form_of(admin_runtime, KEY)
    form["steps"] = "Nộp phiếu khai báo\nNhận giấy xác nhận"
    response = await staff.post(f"/admin/procedure/edit/{row_id}", {**form, "save": "Save"})
    assert response.status_code == 302, response.text
    after = await staff.get("/admin/unanswered")
    assert missing(after.text) == [("Thời hạn hiệu lực của kết quả", 1)]
