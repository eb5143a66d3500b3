"""The intake summary in a real browser: read, corrected, seen in the day view.

Screenshots under ``test-artifacts/plan/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from console.integrations import AppointmentRow
from store import repo_plan
from tests.console.conftest import FakeIntegrations
from tests.console.live import LiveConsole
from tests.console.test_browser import browser, live, page, sign_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "plan"


def shot(page: Page, name: str) -> None:  # noqa: F811
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_the_intake_summary_is_read_and_corrected(
    page: Page,  # noqa: F811
    live: LiveConsole,  # noqa: F811
    integrations: FakeIntegrations,
) -> None:
    live.add_staff("Karim Benali", "karim@example.org")
    person = live.add_waiting_person("Samia", 412345678, messages=2)
    with live.sessions() as session:
        repo_plan.save(
            session,
            person,
            answers={
                "goal": "training",
                "age": "26to49",
                "diploma": "none",
                "licence": "car",
                "children": "under3",
                "status": "ft",
                "constraint": "mobility",
            },
            steps=[
                {"rule": "meet_adviser", "key": "book:info", "espace": None},
                {"rule": "childcare_avip", "key": "card:childcare.avip", "espace": None},
                {"rule": "childcare_rpe", "key": "card:childcare.rpe", "espace": None},
                {"rule": "free_bus", "key": "card:transport.dkbus", "espace": None},
                {"rule": "training_prif", "key": "card:trainings.prif", "espace": None},
            ],
            notes=["Dit avoir permis et voiture, mais aussi un souci pour se déplacer."],
            now=live.clock(),
        )
        repo_plan.taken(session, person, "card:childcare.avip", live.clock())
        session.commit()
    integrations.appointments.append(
        AppointmentRow(43, person, "Espace gare de Dunkerque", "10 h 00", "Samia", "Information")
    )
    sign_in(page, live, "karim@example.org")
    page.goto(f"{live.url}/conversations/{person}")
    intake = page.locator("section.intake")
    expect(intake).to_contain_text("À vérifier : Dit avoir permis et voiture")
    expect(intake).to_contain_text("Fiche : Crèches AVIP — suivi")
    page.get_by_label("Corriger : Diplôme").select_option("cap")
    page.locator("form:has(#fix-diploma)").get_by_role("button", name="Corriger").click()
    expect(page.get_by_role("status")).to_contain_text("Correction enregistrée")
    expect(page.locator("section.intake")).to_contain_text("corrigé par Karim Benali")
    page.locator("section.intake").scroll_into_view_if_needed()
    page.locator("section.intake").screenshot(path=str(_path("01-resume-du-point")))
    shot(page, "02-page-de-la-personne")
    page.get_by_role("link", name="Rendez-vous du jour").click()
    page.get_by_text("Faire le point : Une formation").click()
    expect(page.locator("#rdv-43")).to_contain_text("CAP ou BEP")
    shot(page, "03-rendez-vous-du-jour")


def _path(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"
