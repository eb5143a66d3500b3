"""The widget in Chromium: a visitor on a page of another origin, a counsellor in the console.

Screenshots (phone and desktop) under ``test-artifacts/webchat/``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from capabilities.handoff.state import counsellor_reply
from core.settings import Settings, load_settings
from store import repo_webchat
from store.models import ChannelAccount, Conversation
from tests.console.live import PASSWORD
from tests.console.test_browser import browser  # noqa: F401 (the shared Chromium fixture)
from tests.webchat.live import LiveChat

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "webchat"


def serve(database_url: str, transport: str = "") -> LiveChat:
    def settings_for(site: str) -> Settings:
        return load_settings(
            database_url=database_url,
            telegram_bot_token=None,
            rasa_url=None,
            console_secret_key="test-secret",
            webchat_allowed_origins=site,
        )

    return LiveChat(settings_for, transport=transport).start()


@pytest.fixture
def live(database_url: str) -> Iterator[LiveChat]:
    chat = serve(database_url)
    yield chat
    chat.stop()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def person_id(live: LiveChat) -> int:
    assert live.context is not None
    with live.context.sessions() as session:
        return int(session.query(ChannelAccount).filter_by(channel="web").one().person_id)


def wait_until_all_seen(live: LiveChat) -> None:
    """The open panel tells the server what it showed (a few ms after showing it)."""
    assert live.context is not None
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with live.context.sessions() as session:
            visitor = session.query(ChannelAccount).filter_by(channel="web").one().external_ref
            if repo_webchat.unread(session, visitor) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("the panel never reported what it showed")


def test_a_visitor_books_and_talks_to_a_counsellor_from_another_site(
    browser: Browser,  # noqa: F811
    live: LiveChat,
) -> None:
    phone = browser.new_context(
        locale="fr-FR", viewport={"width": 360, "height": 740}, accept_downloads=True
    )
    phone.set_default_timeout(10_000)
    page = phone.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live.site)
    launcher = page.get_by_role("button", name="Ouvrir le chat de l'assistant 20 000 emplois")
    launcher.click()
    log = page.get_by_role("log")
    expect(log).to_contain_text("Vie privée")
    expect(page.get_by_role("region", name="Assistant 20 000 emplois")).to_be_visible()
    shot(page, "01-telephone-consentement")
    page.get_by_role("button", name="J'accepte").click()
    expect(log).to_contain_text("Que voulez-vous savoir")
    page.get_by_label("Votre message").fill("bus")
    page.keyboard.press("Enter")
    expect(log).to_contain_text("gratuits")
    page.get_by_role("button", name="Bus gratuits DK'Bus").click()
    # booking with buttons only
    page.get_by_label("Votre message").fill("je veux un rendez-vous")
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_role("button", name="Information sur les métiers").last.click()
    page.get_by_role("button", name="Espace 20 000 emplois de Saint-Pol-sur-Mer").last.click()
    chat = page.locator("[data-ae20000-chat]")
    chat.locator(".msg", has_text="Quel jour").last.locator("button").first.click()
    chat.locator(".msg", has_text="À quelle heure").last.locator("button").first.click()
    page.get_by_role("button", name="Passer").last.click()  # no number for the example agenda
    page.get_by_role("button", name="Je confirme").last.click()
    expect(log).to_contain_text("C'est noté, pour la démonstration")  # the example agenda
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger").last.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    assert "BEGIN:VCALENDAR" in Path(download.path()).read_text()
    shot(page, "02-telephone-reserve")
    # a counsellor
    page.get_by_label("Votre message").fill("je veux un conseiller")
    page.keyboard.press("Enter")
    expect(log).to_contain_text("Un conseiller vous répondra")

    live.add_staff("Karim Benali", "karim@example.org")
    desk = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    console = desk.new_page()
    console.goto(f"{live.url}/login")
    console.get_by_label("Adresse e-mail").fill("karim@example.org")
    console.get_by_label("Mot de passe").fill(PASSWORD)
    console.get_by_role("button", name="Se connecter").click()
    console.goto(f"{live.url}/conversations/{person_id(live)}")
    expect(console.get_by_text("Votre message (envoyé sur le chat du site")).to_be_visible()
    console.get_by_label("Votre message").fill("Bonjour, je suis Karim. Je vous écoute.")
    console.get_by_role("button", name="Envoyer").click()
    expect(console.get_by_role("status")).to_have_text(
        "Message en file d'envoi : son état s'affiche sous le message."
    )
    expect(log).to_contain_text("je suis Karim")  # live, without reload
    shot(page, "03-telephone-conseiller")

    page.reload()
    page.get_by_role("button", name="Ouvrir le chat de l'assistant 20 000 emplois").click()
    expect(page.get_by_role("log")).to_contain_text("je suis Karim")
    expect(page.get_by_role("log")).to_contain_text(
        "C'est noté, pour la démonstration"
    )  # the example agenda

    # the page is closed once read; the counsellor writes again; next visit shows a badge
    wait_until_all_seen(live)
    page.close()
    console.get_by_label("Votre message").fill("Pensez à votre pièce d'identité.")
    console.get_by_role("button", name="Envoyer").click()
    expect(console.get_by_role("status")).to_have_text(
        "Message en file d'envoi : son état s'affiche sous le message."
    )
    again = phone.new_page()
    again.goto(live.site)
    expect(again.get_by_role("button", name="nouveaux messages")).to_contain_text("1")
    again.set_viewport_size({"width": 1280, "height": 800})
    again.get_by_role("button", name="Ouvrir le chat").click()
    expect(again.get_by_role("log")).to_contain_text("pièce d'identité")
    expect(again.get_by_text("Pensez à votre pièce d'identité.")).to_be_in_viewport()
    shot(again, "04-bureau-retour")
    assert not [e for e in errors if "Content Security Policy" in e]
    desk.close()
    phone.close()


def test_the_standalone_page_works_under_the_console_csp_with_the_keyboard(
    browser: Browser,  # noqa: F811
    live: LiveChat,
) -> None:
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 800}, reduced_motion="reduce"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text))
    page.goto(f"{live.url}/chat")
    expect(page.get_by_role("log")).to_contain_text("Vie privée")
    page.keyboard.press("Tab")
    for _ in range(10):
        if (
            page.evaluate(
                "document.activeElement && document.activeElement.shadowRoot"
                " && document.activeElement.shadowRoot.activeElement"
                " && document.activeElement.shadowRoot.activeElement.textContent"
            )
            == "J'accepte"
        ):
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("log")).to_contain_text("Merci")
    page.get_by_label("Votre message").fill("<b>gras</b>")
    page.keyboard.press("Enter")
    expect(page.get_by_role("log")).to_contain_text("<b>gras</b>")
    shot(page, "05-page-bureau")
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()


def test_behind_a_proxy_without_websockets_long_polling_carries_the_conversation(
    browser: Browser,  # noqa: F811
    database_url: str,
) -> None:
    live = serve(database_url, transport="poll")
    try:
        context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 740})
        context.set_default_timeout(10_000)
        page = context.new_page()
        sockets: list[str] = []
        page.on("websocket", lambda ws: sockets.append(ws.url))
        page.goto(live.site)
        page.get_by_role("button", name="Ouvrir le chat").click()
        page.get_by_role("button", name="J'accepte").click()
        page.get_by_label("Votre message").fill("je veux un conseiller")
        page.keyboard.press("Enter")
        log = page.get_by_role("log")
        expect(log).to_contain_text("Un conseiller vous répondra")
        assert live.context is not None
        with live.context.sessions() as session:
            conversation = session.get(Conversation, person_id(live))
            assert conversation is not None
            counsellor_reply(
                session,
                conversation,
                "Réponse par la longue attente.",
                at=live.context.clock(),
                by="staff:1",
                channel="console",
            )
            session.commit()
        live.kick()
        expect(log).to_contain_text("Réponse par la longue attente.")
        assert sockets == []
        context.close()
    finally:
        live.stop()
