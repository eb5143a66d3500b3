"""The console in a real browser (Debian's Chromium, headless, through Playwright).

Screenshots of the main pages are saved under ``test-artifacts/console/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from app.build import build_context
from core.clock import FrozenClock
from core.settings import load_settings
from tests.chat import Chat, FakeNlu
from tests.console.conftest import FakeIntegrations
from tests.console.live import PASSWORD, LiveConsole, live_console

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "console"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PERSON_CHAT = 412345678


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run `make browser-deps` (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def live(database_url: str, integrations: FakeIntegrations) -> Iterator[LiveConsole]:
    with live_console(database_url, integrations=integrations) as console:
        yield console


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, live: LiveConsole, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{live.url}/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def test_counsellor_answers_a_waiting_person_on_telegram(page: Page, live: LiveConsole) -> None:
    live.add_staff("Karim Benali", "karim@example.org")
    person = live.add_waiting_person("Samia", PERSON_CHAT)
    page.goto(f"{live.url}/login")
    shot(page, "01-connexion")
    sign_in(page, live, "karim@example.org")
    expect(page.get_by_role("heading", name="File d'attente")).to_be_visible()
    row = page.locator("#file").get_by_role("row", name="Samia")  # not the day's "Samia B."
    expect(row).to_contain_text("a demandé un conseiller")
    expect(row).to_contain_text("En attente")
    shot(page, "02-file-attente")
    page.get_by_role("link", name="Samia").click()
    expect(page.get_by_text("question 0")).to_be_visible()
    expect(page.get_by_text("intention : ask_transport").first).to_be_visible()
    page.get_by_label("Votre message (envoyé sur Telegram)").fill("Bonjour Samia, je suis Karim.")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("status")).to_have_text(
        "Message en file d'envoi : son état s'affiche sous le message."
    )
    expect(page.locator("#etat")).to_have_text("Avec un conseiller")
    shot(page, "03-conversation")
    assert live.fake is not None
    sent = live.run(live.fake.wait_for_text(PERSON_CHAT, "je suis Karim"))
    assert sent[-1].params["text"] == "Bonjour Samia, je suis Karim."
    page.get_by_label("Note (jamais envoyée à la personne)").fill("Rappeler jeudi")
    page.get_by_role("button", name="Ajouter la note").click()
    expect(page.get_by_text("Rappeler jeudi")).to_be_visible()
    page.get_by_role("button", name="Marquer comme résolu").click()
    expect(page.get_by_role("status")).to_contain_text("l'assistant répond de nouveau")
    assert person == 1


def test_attendance_is_marked_in_one_click(
    page: Page, live: LiveConsole, integrations: FakeIntegrations
) -> None:
    live.add_staff("Karim Benali", "karim@example.org")
    sign_in(page, live, "karim@example.org")
    page.get_by_role("link", name="Rendez-vous du jour").click()
    expect(page.get_by_role("heading", name="Espace Saint-Pol-sur-Mer")).to_be_visible()
    shot(page, "04-rendez-vous-du-jour")
    page.locator("#rdv-41").get_by_role("button", name="Absent(e)").click()
    expect(page.get_by_role("status")).to_have_text("Émargement enregistré : Absent(e).")
    expect(page.locator("#rdv-41 button[aria-pressed=true]")).to_have_text("Absent(e)")
    assert integrations.marks[0][:2] == (41, "noshow")


def test_a_counsellor_cannot_open_another_counsellors_participant(
    page: Page, live: LiveConsole, integrations: FakeIntegrations
) -> None:
    live.add_staff("Karim Benali", "karim@example.org")
    ines = live.add_staff("Inès Martin", "ines@example.org")
    person = live.add_waiting_person("Samia", PERSON_CHAT)
    integrations.owners[person] = ines
    sign_in(page, live, "karim@example.org")
    expect(page.get_by_role("heading", name="File d'attente")).to_be_visible()
    response = page.goto(f"{live.url}/conversations/{person}")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Accès refusé")).to_be_visible()
    expect(page.get_by_text("question 0")).to_have_count(0)


def test_a_form_without_csrf_token_is_refused(page: Page, live: LiveConsole) -> None:
    live.add_staff("Karim Benali", "karim@example.org")
    person = live.add_waiting_person("Samia", PERSON_CHAT)
    sign_in(page, live, "karim@example.org")
    page.goto(f"{live.url}/conversations/{person}")
    page.evaluate("document.querySelectorAll('input[name=csrf]').forEach(e => e.remove())")
    page.get_by_label("Votre message (envoyé sur Telegram)").fill("sans jeton")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_text("Formulaire expiré ou invalide")).to_be_visible()
    assert live.fake is not None and live.fake.sent_texts(PERSON_CHAT) == []


def test_five_wrong_passwords_throttle_the_account(page: Page, live: LiveConsole) -> None:
    live.add_staff("Karim Benali", "karim@example.org")
    for _ in range(5):
        sign_in(page, live, "karim@example.org", "mauvais mot de passe")
        expect(page.get_by_role("alert")).to_have_text("Adresse ou mot de passe incorrect.")
    sign_in(page, live, "karim@example.org")  # the right one, too late
    expect(page.get_by_role("alert")).to_contain_text("Trop de tentatives")
    shot(page, "05-connexion-bloquee")
    expect(page.get_by_role("heading", name="File d'attente")).to_have_count(0)


def test_admin_pages_render(page: Page, live: LiveConsole, integrations: FakeIntegrations) -> None:
    admin = live.add_staff("Claire Admin", "claire@example.org", role="admin")
    live.add_waiting_person("Samia", PERSON_CHAT)
    integrations.owners.update({1: admin})
    sign_in(page, live, "claire@example.org")
    page.get_by_role("link", name="Mon suivi").click()
    page.get_by_label("Inscrire un participant (nom ou référence)").fill("M. Dupont")
    page.get_by_role("button", name="Inscrire", exact=True).click()
    expect(page.get_by_text("inv_ABC123")).to_be_visible()
    shot(page, "06-suivi")
    page.get_by_role("link", name="Indicateurs").click()
    expect(page.locator("svg.chart")).to_have_count(4)
    shot(page, "07-indicateurs")
    page.get_by_role("link", name="Journal").click()
    expect(page.get_by_role("cell", name="login").first).to_be_visible()
    shot(page, "08-journal")
    page.get_by_role("link", name="Administration").click()
    shot(page, "09-administration")


async def _ask_gare_days(chat: Chat) -> list[str]:
    """The person asks for an information appointment at the gare: the days offered."""
    await chat.say("je veux un rendez-vous")
    await chat.press_label("Information sur les métiers")
    await chat.press_label("gare")
    return [button.label for button in chat.buttons]


async def _saturday_times(chat: Chat) -> list[str]:
    await chat.press_label("samedi 28 novembre")
    return [button.label for button in chat.buttons]


def test_an_admin_opens_saturday_mornings_and_the_bot_offers_them(
    page: Page, live: LiveConsole, database_url: str
) -> None:
    live.add_staff("Claire Admin", "claire@example.org", role="admin")
    settings = load_settings(database_url=database_url, telegram_bot_token=None, rasa_url=None)
    clock = FrozenClock(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))  # Tuesday, 10:00 in Paris
    context = build_context(settings, parse=FakeNlu().parse, clock=clock)  # syncs the files
    # the person talks in the console's event loop (Playwright has one)
    chat = Chat(context.assistant)
    try:
        live.run(chat.consent())
        assert not any("samedi" in day for day in live.run(_ask_gare_days(chat)))

        sign_in(page, live, "claire@example.org")
        page.get_by_role("link", name="Agenda", exact=True).click()
        expect(page.get_by_role("heading", name="Agenda des Espaces")).to_be_visible()
        shot(page, "10-agenda")
        gare = page.locator("#espace-gare")
        gare.get_by_role("link", name="Ajouter une plage").click()
        page.get_by_label("Jour de la semaine").select_option(label="samedi")
        page.get_by_label("Début", exact=True).fill("09:00")
        page.get_by_label("Fin", exact=True).fill("08:00")
        page.get_by_label("Conseiller·e 1 Gare (exemple)").check()
        page.get_by_role("button", name="Enregistrer la plage").click()
        expect(page.get_by_role("alert")).to_contain_text(
            "L'heure de fin doit être après l'heure de début."
        )
        shot(page, "11-plage-erreur")
        page.get_by_label("Fin", exact=True).fill("12:00")
        page.get_by_role("button", name="Enregistrer la plage").click()
        expect(page.get_by_role("status")).to_have_text(
            "Plage enregistrée : le samedi de 9 h 00 à 12 h 00."
        )
        saturday = gare.get_by_role("row", name="samedi")
        expect(saturday).to_contain_text("9 h 00 – 12 h 00")
        expect(saturday).to_contain_text("Conseiller·e 1 Gare (exemple)")
        expect(saturday).to_contain_text("console")
        shot(page, "12-agenda-plage-ajoutee")

        live.run(chat.press_label("Retour au menu"))
        assert "samedi 28 novembre" in live.run(_ask_gare_days(chat))
        assert live.run(_saturday_times(chat))[:2] == ["9 h 00", "9 h 30"]

        page.goto(f"{live.url}/admin/espaces/gare/edit")
        page.get_by_label("Adresse").fill("Place de la gare, 59140 Dunkerque")
        page.get_by_label("Téléphone").fill("appelez-nous")
        page.get_by_role("button", name="Enregistrer l'Espace").click()
        expect(page.get_by_role("alert")).to_contain_text("Numéro de téléphone invalide")
        shot(page, "13-espace")
        page.goto(f"{live.url}/account")
        page.get_by_role("button", name="Obtenir un code de liaison").click()
        expect(page.locator("#code-liaison")).to_contain_text("/lier ")
        shot(page, "14-mon-compte")
    finally:
        live.run(context.aclose())
