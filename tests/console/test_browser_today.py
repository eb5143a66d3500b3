"""The counsellor's day in a real browser: "Aujourd'hui" shows who needs them, and each acts.

A person writes "jdors dehors" before consenting, a participant answers the check-in with a
worrying free text, the cadence stores a programme task: a counsellor signs in, finds all
three on "Aujourd'hui" and acts on each. Screenshots under ``test-artifacts/console/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.build import build_context
from capabilities.programme import periods
from capabilities.programme.checkin import after_checkin_sent
from capabilities.programme.enrolment import enrol
from capabilities.programme.planning import plan
from capabilities.programme.rules import default_rules
from console.live_integrations import LiveIntegrations
from core.clock import utcnow
from core.settings import load_settings
from store.programme import CounsellorTask, Participant
from tests.chat import Chat, FakeNlu
from tests.console.live import LiveConsole, live_console
from tests.console.test_browser import browser, page, shot, sign_in  # noqa: F401

pytestmark = pytest.mark.browser

STREET_CHAT = 512345001
CHECKIN_CHAT = 512345002


@pytest.fixture
def live(database_url: str) -> Iterator[LiveConsole]:
    with live_console(database_url, integrations=LiveIntegrations()) as console:
        yield console


def test_today_shows_distress_the_worrying_checkin_and_a_task_and_each_is_acted_on(
    page: Page,  # noqa: F811
    live: LiveConsole,
    database_url: str,
) -> None:
    karim = live.add_staff("Karim Benali", "karim@example.org")
    settings = load_settings(database_url=database_url, telegram_bot_token=None, rasa_url=None)
    context = build_context(settings, parse=FakeNlu().parse)
    street = Chat(context.assistant, user=str(STREET_CHAT), channel="telegram", display_name="")
    follower = Chat(
        context.assistant, user=str(CHECKIN_CHAT), channel="telegram", display_name="Samia"
    )
    now = utcnow()
    try:
        with context.sessions() as session:
            samia = enrol(
                session,
                name="Samia Benali",
                orientation_on=date.today() - timedelta(days=10),
                counsellor_id=karim,
                now=now,
                username="Emplois20000Bot",
            )
            enrol(
                session,
                name="Marc Lefebvre",
                orientation_on=date.today() - timedelta(days=40),
                counsellor_id=karim,
                now=now,
                username="Emplois20000Bot",
            )
            session.commit()
        # 1. distress, before any consent
        live.run(street.say("jdors dehors depuis 3 jours avec mon chien"))
        assert "115" in street.text
        # 2. a participant answers the week's check-in with a worrying free text
        live.run(follower.say(f"/start {samia.code}"))
        live.run(follower.press("consent:yes"))
        with context.sessions() as session:
            participant = session.get(Participant, samia.participant_id)
            assert participant is not None and participant.person_id is not None
            week = periods.iso_week(periods.local_day(now))
            after_checkin_sent(
                session,
                participant.person_id,
                "weekly_checkin",
                f"weekly_checkin:{participant.id}:{week}",
                now,
            )
            session.commit()
        live.run(follower.say("bof jai pas trouver de travail et jai plus de forfait bientot"))
        assert "J'ai prévenu Karim Benali" in follower.text
        # 3. the cadence stores the programme's tasks
        with context.sessions() as session:
            plan(session, now, default_rules())
            session.commit()
            marc_tasks = session.scalars(
                select(CounsellorTask)
                .join(Participant, Participant.id == CounsellorTask.participant_id)
                .where(Participant.name == "Marc Lefebvre", CounsellorTask.done_at.is_(None))
            ).all()
        assert marc_tasks, "the cadence stored no task for the participant without a meeting"

        sign_in(page, live, "karim@example.org")
        expect(page.get_by_role("heading", name="Aujourd'hui")).to_be_visible()
        expect(page.get_by_role("alert")).to_contain_text("1 personne en détresse")
        rows = page.locator("#file tbody tr")
        expect(rows.first).to_contain_text("Détresse")
        expect(rows.first).to_contain_text("jdors dehors")
        checkin_row = page.locator("#file tbody tr", has_text="Samia Benali")
        expect(checkin_row).to_contain_text("forfait")
        expect(checkin_row).to_contain_text("point hebdomadaire")
        task_row = page.locator("#taches tbody tr", has_text="Marc Lefebvre").first
        expect(task_row).to_be_visible()
        shot(page, "10-aujourdhui")

        # act on the distress: take it, read the alert, answer
        rows.first.get_by_role("button", name="Prendre").click()
        expect(page.locator("#alerte")).to_contain_text("jdors dehors")
        expect(page.locator("#alerte")).to_contain_text("pas (encore) accepté")
        page.get_by_label("Votre message (envoyé sur Telegram)").fill(
            "Bonjour, je suis Karim. Appelez le 115 ce soir, je vous rappelle demain."
        )
        page.get_by_role("button", name="Envoyer").click()
        expect(page.locator("#etat")).to_have_text("Avec un conseiller")
        shot(page, "11-detresse-prise")
        assert live.fake is not None
        sent = live.run(live.fake.wait_for_text(STREET_CHAT, "je suis Karim"))
        assert "115" in sent[-1].params["text"]
        page.reload()
        expect(page.locator(".transcript .delivery").last).to_have_text("envoyé")

        # act on the check-in answer: open it and take it
        page.get_by_role("link", name="Aujourd'hui").click()
        page.locator("#file tbody tr", has_text="Samia Benali").get_by_role(
            "button", name="Prendre"
        ).click()
        expect(page.locator("#alerte")).to_contain_text("forfait")
        expect(page.locator("#etat")).to_have_text("Avec un conseiller")
        shot(page, "12-suivi-inquietant")

        # act on the programme task: mark it done
        page.get_by_role("link", name="Aujourd'hui").click()
        before = page.locator("#taches tbody tr", has_text="Marc Lefebvre").count()
        page.locator("#taches tbody tr", has_text="Marc Lefebvre").first.get_by_role(
            "button", name="Fait"
        ).click()
        expect(page.get_by_role("status")).to_have_text("Tâche marquée comme faite.")
        expect(page.locator("#taches tbody tr", has_text="Marc Lefebvre")).to_have_count(before - 1)
        shot(page, "13-tache-faite")
        with context.sessions() as session:
            done = session.scalars(
                select(CounsellorTask).where(CounsellorTask.done_at.is_not(None))
            ).all()
            assert len(done) == 1
    finally:
        live.run(context.aclose())
