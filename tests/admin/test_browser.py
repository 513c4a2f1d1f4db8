"""The staff flow in a real headless Chromium: sign in → edit a procedure → preview the card
→ save → see it in the audit log. Debian's `chromium` driven by Playwright (no downloaded
browser: `executable_path`); the app runs on uvicorn on a free loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.channels.web import build_web_app, components
from bot.config import Settings
from bot.core.messages import Incoming
from bot.runtime import Runtime

from ..fakes.telegram_api import serve
from .conftest import EDITOR, EDITOR_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
KEY = "2.002131"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is missing: install Debian's chromium package (apt-get install -y "
    "chromium) to run the browser test",
)


@pytest.fixture
async def page() -> AsyncIterator:  # type: ignore[type-arg]
    playwright_api = pytest.importorskip("playwright.async_api")
    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = await browser.new_context(locale="vi-VN")
        page = await context.new_page()
        page.set_default_timeout(15_000)
        yield page
        await context.close()
        await browser.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_sign_in_edit_preview_save_and_audit(
    page,  # type: ignore[no-untyped-def]
    admin_settings: Settings,
    admin_runtime: Runtime,
) -> None:
    app = build_web_app(admin_runtime, components(admin_settings, admin_runtime))
    async with serve(app) as url:
        await page.goto(f"{url}/admin/")
        assert page.url.endswith("/admin/login")
        await page.fill("#username", EDITOR)
        await page.fill("#password", EDITOR_PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_url(f"{url}/admin/")

        await page.click("text=Thủ tục")
        await page.fill("#search-input", "X-quang")
        await page.click("#search-button")
        await page.wait_for_url("**search=X-quang**")
        await page.wait_for_selector("text=Khai báo thiết bị X-quang chẩn đoán trong y tế")
        row = page.locator("tr", has_text="Khai báo thiết bị X-quang chẩn đoán trong y tế")
        await row.locator("a[href*='/admin/procedure/edit/']").first.click()
        await page.wait_for_selector("#procedure-form")

        await page.fill("#working_days", "9")
        await page.fill("#fees", "Phí thẩm định hồ sơ | 345.000")
        await page.click("button:has-text('Xem trước')")
        preview = page.locator("#card-preview")
        await preview.wait_for()
        text = await preview.inner_text()
        assert "9 ngày làm việc" in text
        assert "Phí thẩm định hồ sơ (345.000 đồng)" in text
        assert await page.input_value("#working_days") == "9"  # the form kept the edit

        await page.click("button[value='Save']")
        await page.wait_for_selector("text=Đã lưu")
        answer = await admin_runtime.assistant.handle(
            Incoming("console", "citizen", "khai báo máy x quang mất bao lâu")
        )
        assert "9 ngày làm việc" in answer[0].text

        await page.click("text=Nhật ký thay đổi")
        audit_row = page.locator("tr", has_text=KEY)
        await audit_row.first.wait_for()
        line = await audit_row.first.inner_text()
        assert EDITOR in line and "admin" in line
        assert "fees" in line and "processing_time" in line

        await page.click("text=Đăng xuất")
        await page.wait_for_url(f"{url}/admin/login")
