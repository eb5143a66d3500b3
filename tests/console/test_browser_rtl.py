"""Arabic-reading staff (STAFF_LANGUAGE=ar): the console in Chromium, right to left.

Screenshots: ``test-artifacts/console/11-file-attente-ar.png`` (the queue) and
``15-conversation-ar.png`` (a conversation).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.console.conftest import FakeIntegrations
from tests.console.live import PASSWORD, LiveConsole, live_console
from tests.console.test_browser import browser, page, shot

pytestmark = pytest.mark.browser
__all__ = ["browser", "page"]  # the fixtures of the French browser tests


@pytest.fixture
def live_ar(database_url: str, integrations: FakeIntegrations) -> Iterator[LiveConsole]:
    with live_console(database_url, integrations=integrations, staff_language="ar") as console:
        yield console


def test_arabic_staff_read_the_queue_right_to_left(page: Page, live_ar: LiveConsole) -> None:
    live_ar.add_staff("Karim Benali", "karim@example.org")
    live_ar.add_waiting_person("Samia", 412345678)
    page.goto(f"{live_ar.url}/login")
    expect(page.get_by_role("heading", name="تسجيل الدخول")).to_be_visible()
    page.get_by_label("البريد الإلكتروني").fill("karim@example.org")
    page.get_by_label("كلمة المرور").fill(PASSWORD)
    page.get_by_role("button", name="تسجيل الدخول").click()
    nav = page.get_by_role("navigation", name="القائمة الرئيسية")
    expect(nav.get_by_role("link", name="قائمة الانتظار")).to_be_visible()
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    row = page.locator("#file").get_by_role("row", name="Samia")
    expect(row).to_contain_text("طلب مستشارًا")  # the hand-off reason, in Arabic
    # Right to left: the menu starts on the right, the sign-out button is on the left.
    first = nav.get_by_role("link").first.bounding_box()
    out = page.get_by_role("button", name="تسجيل الخروج").bounding_box()
    assert first is not None and out is not None and out["x"] < first["x"]
    shot(page, "11-file-attente-ar")


def test_arabic_staff_read_a_conversation_right_to_left(page: Page, live_ar: LiveConsole) -> None:
    live_ar.add_staff("Karim Benali", "karim@example.org")
    person = live_ar.add_waiting_person("Samia", 412345679)
    page.goto(f"{live_ar.url}/login")
    page.get_by_label("البريد الإلكتروني").fill("karim@example.org")
    page.get_by_label("كلمة المرور").fill(PASSWORD)
    page.get_by_role("button", name="تسجيل الدخول").click()
    page.goto(f"{live_ar.url}/conversations/{person}")
    expect(page.get_by_role("heading", name="المحادثة")).to_be_visible()
    expect(page.get_by_role("heading", name="ملاحظات خاصة")).to_be_visible()
    expect(page.get_by_role("button", name="تولّي المحادثة")).to_be_visible()
    # Right to left: the transcript is the first column, on the right of the context.
    transcript = page.locator("section[aria-labelledby=fil]").bounding_box()
    context = page.locator("aside[aria-labelledby=contexte]").bounding_box()
    assert transcript is not None and context is not None
    assert context["x"] < transcript["x"]
    shot(page, "15-conversation-ar")
