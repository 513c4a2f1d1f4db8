"""The admin over HTTP (httpx against the real ASGI app): sign-in, roles, CSRF, edits."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select

from bot.channels.web import build_web_app, components
from bot.config import Settings
from bot.core.messages import Incoming
from bot.db import repo
from bot.db.models import AuditLog, LoginFailure
from bot.runtime import Runtime, start

from .conftest import (
    EDITOR,
    EDITOR_PASSWORD,
    KEY,
    VIEWER,
    VIEWER_PASSWORD,
    Staff,
    form_of,
    row_of,
)


def login_error(response: httpx.Response) -> str:
    found = re.search(r'id="login-error">([^<]*)<', response.text)
    return found.group(1) if found else ""


async def audit_count(runtime: Runtime) -> int:
    async with runtime.sessionmaker() as session:
        return int(await session.scalar(select(func.count(AuditLog.id))) or 0)


async def test_anonymous_gets_the_login_page(staff: Staff) -> None:
    for path in ("/admin/", "/admin/procedure/list", "/admin/audit/list", "/admin/unanswered"):
        response = await staff.get(path)
        assert response.status_code == 302, path
        assert response.headers["location"].endswith("/admin/login")
    page = await staff.get("/admin/login")
    assert page.status_code == 200
    assert "Đăng nhập" in page.text and 'name="csrf_token"' in page.text


async def test_session_cookie_is_httponly_lax_and_secure_on_https(admin_app) -> None:  # type: ignore[no-untyped-def]
    for base, secure in (("http://testserver", False), ("https://testserver", True)):
        transport = httpx.ASGITransport(app=admin_app)
        async with httpx.AsyncClient(transport=transport, base_url=base) as client:
            response = await Staff(client).login(EDITOR, EDITOR_PASSWORD)
        assert response.status_code == 302
        cookie = response.headers["set-cookie"].lower()
        assert cookie.startswith("tthc_admin=")
        assert "httponly" in cookie and "samesite=lax" in cookie and "path=/admin" in cookie
        assert ("secure" in cookie.split("; ")) is secure


async def test_wrong_password_and_unknown_user_get_the_same_answer(staff: Staff) -> None:
    wrong = await staff.login(EDITOR, "not-the-password")
    unknown = await staff.login("khong.co.ai", "not-the-password")
    assert wrong.status_code == unknown.status_code == 400
    assert login_error(wrong) == login_error(unknown) == "Tên đăng nhập hoặc mật khẩu không đúng."
    assert (await staff.login(EDITOR, EDITOR_PASSWORD)).status_code == 302


async def test_repeated_failures_lock_the_name_from_that_address_on_every_replica(
    staff: Staff, admin_settings: Settings, admin_runtime: Runtime
) -> None:
    for _ in range(5):
        assert login_error(await staff.login(EDITOR, "guess")).startswith("Tên đăng nhập")
    locked = await staff.login(EDITOR, "guess")
    assert "quá nhiều lần" in login_error(locked)
    # Locked now: even the right password is not checked, on this replica …
    assert "quá nhiều lần" in login_error(await staff.login(EDITOR, EDITOR_PASSWORD))
    # … nor on another replica of the same database.
    other = await start(admin_settings)
    try:
        app = build_web_app(other, components(admin_settings, other))
        transport = httpx.ASGITransport(app=app, client=("10.0.0.7", 50001))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            assert "quá nhiều lần" in login_error(await Staff(c).login(EDITOR, EDITOR_PASSWORD))
        # Another address is not affected.
        transport = httpx.ASGITransport(app=app, client=("10.0.0.99", 50002))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            assert (await Staff(c).login(EDITOR, EDITOR_PASSWORD)).status_code == 302
    finally:
        await other.close()
    async with admin_runtime.sessionmaker() as session:
        failure = (await session.scalars(select(LoginFailure))).one()
        assert failure.failures == 5 and failure.locked_until is not None
        assert "10.0.0.7" not in failure.key  # a keyed hash, no address in the clear


async def test_csrf_token_is_required_on_every_post(staff: Staff, admin_runtime: Runtime) -> None:
    await staff.get("/admin/login")
    no_token = await staff.post(
        "/admin/login", {"username": EDITOR, "password": EDITOR_PASSWORD}, token=False
    )
    assert no_token.status_code == 403 and "chống giả mạo" in no_token.text
    assert (await staff.login(EDITOR, EDITOR_PASSWORD)).status_code == 302
    row_id, form = await form_of(admin_runtime)
    form["working_days"] = "3"
    for data in (form, {**form, "csrf_token": "forged"}):
        response = await staff.client.post(f"/admin/procedure/edit/{row_id}", data=data)
        assert response.status_code == 403
    assert (await row_of(admin_runtime)).working_days != 3
    assert await audit_count(admin_runtime) == 0


async def test_viewer_reads_but_cannot_edit(staff: Staff, admin_runtime: Runtime) -> None:
    assert (await staff.login(VIEWER, VIEWER_PASSWORD)).status_code == 302
    listing = await staff.get("/admin/procedure/list?search=x-quang")
    assert listing.status_code == 200 and "Khai báo thiết bị X-quang" in listing.text
    row_id, form = await form_of(admin_runtime)
    assert f"/admin/procedure/edit/{row_id}" not in listing.text
    details = await staff.get(f"/admin/procedure/details/{row_id}")
    assert details.status_code == 200 and "⏱ Thời hạn" in details.text  # the card
    assert (await staff.get(f"/admin/procedure/edit/{row_id}")).status_code == 403
    form["working_days"] = "3"
    response = await staff.post(f"/admin/procedure/edit/{row_id}", form)
    assert response.status_code == 403
    preview = await staff.post("/admin/procedure/preview", form)
    assert preview.status_code == 403
    assert (await row_of(admin_runtime)).working_days != 3
    assert await audit_count(admin_runtime) == 0


async def test_editor_edit_is_saved_audited_and_answered_at_once(
    staff: Staff, admin_runtime: Runtime
) -> None:
    assert (await staff.login(EDITOR, EDITOR_PASSWORD)).status_code == 302
    row_id, form = await form_of(admin_runtime)
    old_fees = form["fees"]
    form["fees"] = "Lệ phí khai báo | 250.000 đồng"
    form["aliases"] += "\nđăng ký máy chụp phim răng"
    response = await staff.post(f"/admin/procedure/edit/{row_id}", {**form, "save": "Save"})
    assert response.status_code == 302, response.text
    row = await row_of(admin_runtime)
    assert [(f.text, f.amount_vnd) for f in row.fees] == [("Lệ phí khai báo", 250000)]
    async with admin_runtime.sessionmaker() as session:
        entry = (await session.scalars(select(AuditLog))).one()
    assert (entry.who, entry.source, entry.action, entry.procedure_key) == (
        EDITOR,
        "admin",
        "update",
        KEY,
    )
    assert set(entry.changes) == {"fees", "aliases"}
    assert entry.changes["fees"]["after"] == [{"text": "Lệ phí khai báo", "amount_vnd": 250000}]
    assert old_fees.split(" | ")[0] in str(entry.changes["fees"]["before"])
    answer = await admin_runtime.assistant.handle(
        Incoming("console", "citizen", "đăng ký máy chụp phim răng")
    )
    assert answer[0].procedure_key == KEY and "250.000 đồng" in answer[0].text
    audit_page = await staff.get("/admin/audit/list")
    assert EDITOR in audit_page.text and KEY in audit_page.text


async def test_a_validity_staff_add_answers_how_long_the_result_lasts(
    staff: Staff, admin_runtime: Runtime
) -> None:
    asked = "giấy xác nhận khai báo máy x quang có hiệu lực bao lâu"
    question = Incoming("console", "citizen", asked)
    [before, _] = await admin_runtime.assistant.handle(question)
    assert before.procedure_key == KEY and "Thời hạn hiệu lực" in before.text
    assert "chưa cập nhật" in before.text.split("\n")[0]  # said so, not the processing time
    assert (await staff.login(EDITOR, EDITOR_PASSWORD)).status_code == 302
    row_id, form = await form_of(admin_runtime)
    form["validity"] = "Không thời hạn, trừ khi thiết bị thay đổi"
    response = await staff.post(f"/admin/procedure/edit/{row_id}", {**form, "save": "Save"})
    assert response.status_code == 302, response.text
    async with admin_runtime.sessionmaker() as session:
        entry = (await session.scalars(select(AuditLog))).one()
    assert set(entry.changes) == {"validity"}
    [after, _] = await admin_runtime.assistant.handle(question)
    assert after.text.startswith("📅 Thời hạn hiệu lực: Không thời hạn, trừ khi thiết bị thay đổi")


@pytest.mark.parametrize(
    ("change", "field_label", "message"),
    [
        ({"name": "  "}, "Tên thủ tục", "không được để trống"),
        ({"working_days": "-3"}, "Thời hạn (số ngày làm việc)", "không được là số âm"),
        ({"fees": "Lệ phí | hai trăm nghìn"}, "Phí, lệ phí, dòng 1", "phải là số nguyên"),
        ({"documents": " | 2"}, "Thành phần hồ sơ, dòng 1", "không được để trống"),
        ({"code": "12345"}, "Mã thủ tục", "phải có dạng 1.234567"),
    ],
)
async def test_invalid_edit_is_refused_naming_the_field(
    staff: Staff, admin_runtime: Runtime, change: dict, field_label: str, message: str
) -> None:
    assert (await staff.login(EDITOR, EDITOR_PASSWORD)).status_code == 302
    before = repo.row_to_procedure(await row_of(admin_runtime))
    row_id, form = await form_of(admin_runtime)
    response = await staff.post(
        f"/admin/procedure/edit/{row_id}", {**form, **change, "save": "Save"}
    )
    assert response.status_code == 400
    assert f"{field_label}: {message}" in response.text
    assert "Chưa lưu" in response.text
    assert repo.row_to_procedure(await row_of(admin_runtime)) == before
    assert await audit_count(admin_runtime) == 0


async def test_preview_shows_the_card_as_typed_without_saving(
    staff: Staff, admin_runtime: Runtime
) -> None:
    assert (await staff.login(EDITOR, EDITOR_PASSWORD)).status_code == 302
    row_id, form = await form_of(admin_runtime)
    form["working_days"] = "7"
    form["fees"] = "Phí thẩm định | 1.500.000"
    response = await staff.post(f"/admin/procedure/preview?pk={row_id}", form)
    assert response.status_code == 200
    card = re.search(r'id="card-preview">(.*?)</div>\s*</div>', response.text, re.S)
    assert card is not None
    assert "7 ngày làm việc" in card.group(1)
    assert "Phí thẩm định (1.500.000 đồng)" in card.group(1)
    assert 'value="7"' in response.text  # the form keeps what was typed
    assert (await row_of(admin_runtime)).working_days != 7
    assert await audit_count(admin_runtime) == 0


async def test_admin_is_not_mounted_without_session_secret(settings: Settings) -> None:
    runtime = await start(settings)
    try:
        app = build_web_app(runtime, components(settings, runtime))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            assert (await c.get("/admin/login")).status_code == 404
            assert (await c.get("/healthz")).status_code == 200
    finally:
        await runtime.close()
