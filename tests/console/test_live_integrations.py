"""The console on the real programme, scheduler and booking modules (SQLite, real data)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update
from starlette.exceptions import HTTPException
from starlette.testclient import TestClient

from capabilities.appointments.booking import book
from capabilities.appointments.config import load_config
from capabilities.assistant.assistant import Assistant
from console.live_integrations import LiveIntegrations
from core.clock import FrozenClock
from core.i18n import set_staff_locale
from store.appointments import OpeningPeriod
from store.models import Person
from store.outbox import OutboxMessage
from store.programme import Invitation, Participant, hash_code
from tests.appointments.test_contact import to_the_name_question
from tests.chat import Chat
from tests.console.conftest import csrf_of, post, sign_in

THURSDAY_9H = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # 9 h 00 in Paris
AFTER_IT = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)


@pytest.fixture
def integrations(clock: FrozenClock) -> LiveIntegrations:  # replaces the fake of conftest
    return LiveIntegrations(clock=clock, username="Emplois20000Bot")


def enrol(assistant: Assistant, live: LiveIntegrations, staff_id: int, name: str) -> str:
    with assistant.sessions() as session:
        enrolment = live.enrol(session, staff_id, name)
        session.commit()
    assert enrolment is not None
    return enrolment.code


async def linked_person(chat: Chat, code: str) -> int:
    """The participant opens the invitation link and accepts: their account is linked."""
    await chat.say(f"/start {code}")
    await chat.press("consent:yes")
    assert "votre compte est relié" in chat.text
    with chat.assistant.sessions() as session:
        person = session.scalars(
            select(Participant.person_id).where(Participant.person_id.is_not(None))
        ).one()
    assert person is not None
    return person


def book_thursday(assistant: Assistant, person_id: int, now: datetime) -> int:
    with assistant.sessions() as session:
        booking = book(
            session,
            person_id=person_id,
            espace_id="saint_pol",
            motif_id="rsa",
            start=THURSDAY_9H,
            now=now,
            rules=load_config().rules,
        )
        session.commit()
        return booking.id


async def test_enrolled_participants_appear_in_their_counsellors_caseload(
    assistant: Assistant,
    integrations: LiveIntegrations,
    add_staff: Callable[..., int],
    clock: FrozenClock,
) -> None:
    claire = add_staff("Claire Martin", "claire@example.org")
    karim = add_staff("Karim Haddad", "karim@example.org")
    code = enrol(assistant, integrations, claire, "Samia Benali")
    with assistant.sessions() as session:
        invitation = session.scalars(select(Invitation)).one()
        assert invitation.code_hash == hash_code(code)  # the programme's own invitation
        mine = integrations.caseload(session, claire)
        assert integrations.caseload(session, karim) == []
        assert [row.name for row in integrations.caseload(session, None)] == [mine[0].name]
    assert len(mine) == 1 and "Samia Benali" in mine[0].name
    assert "compte pas encore relié" in mine[0].name
    assert not mine[0].overdue
    assert mine[0].first_meeting == "à tenir avant le 09/12/2026"  # orientation + 15 days
    assert mine[0].diagnosis == "prévu le 24/02/2027"
    assert mine[0].meetings_this_month == "0 / 2"

    clock.advance(days=16)  # the first meeting was never held
    enrol(assistant, integrations, claire, "Bruno Lefebvre")
    with assistant.sessions() as session:
        rows = integrations.caseload(session, claire)
    assert [row.name.split(" (")[0] for row in rows] == ["Samia Benali", "Bruno Lefebvre"]
    assert rows[0].overdue and "en retard" in rows[0].first_meeting
    assert "1er entretien en retard" in rows[0].extra["retards"]
    assert not rows[1].overdue


async def test_owner_context_day_view_attendance_and_rates(
    chat: Chat,
    integrations: LiveIntegrations,
    add_staff: Callable[..., int],
    clock: FrozenClock,
) -> None:
    assistant = chat.assistant
    claire = add_staff("Claire Martin", "claire@example.org")
    code = enrol(assistant, integrations, claire, "Samia Benali")
    person = await linked_person(chat, code)
    booking = book_thursday(assistant, person, clock())
    await chat.press("checkin:difficulties:2026-W48")
    with assistant.sessions() as session:
        assert integrations.owner_of(session, person) == claire
        assert integrations.owner_of(session, person + 100) is None
        participant = integrations.participant_of_person(session, person)
        assert participant is not None and integrations.participant_of_person(session, 0) is None
        view = integrations.participant(session, participant)
        assert view is not None and view.person_id == person and view.counsellor_id == claire
        assert [c.kind for c in view.contacts] == ["Suivi de la semaine"]  # the check-in answer
        lines = integrations.person_lines(session, person)
        rows = integrations.day(session, date(2026, 11, 26))
        assert integrations.day(session, date(2026, 11, 27)) == []
        assert integrations.rates(session) == {"noshow_rate": None, "weekly_contact_rate": None}
    text = "\n".join(lines)
    assert "Rendez-vous : jeudi 26 novembre à 9 h 00, " in text
    assert "Programme RSA : actif, suivi par Claire Martin." in text
    assert "Dernière réponse au suivi (24/11/2026) : J'ai des difficultés" in text
    assert "Cadence : " in text
    assert len(rows) == 1
    row = rows[0]
    assert (row.id, row.person_id, row.starts, row.who) == (
        booking,
        person,
        "9 h 00",
        "Samia Benali",
    )
    assert "Saint-Pol" in row.espace and row.attendance is None

    with assistant.sessions() as session:  # "seen" before the meeting: refused, nothing written
        with pytest.raises(HTTPException) as refused:
            integrations.mark_attendance(session, booking, "seen", claire)
        assert refused.value.status_code == 409
        assert not integrations.mark_attendance(session, 999_999, "seen", claire)

    clock.now = AFTER_IT
    with assistant.sessions() as session:
        assert integrations.mark_attendance(session, booking, "noshow", claire)
        session.commit()
    with assistant.sessions() as session:
        assert integrations.day(session, date(2026, 11, 26))[0].attendance == "noshow"
        followups = session.scalars(
            select(OutboxMessage).where(OutboxMessage.rule == "noshow_followup")
        ).all()
        assert [m.person_id for m in followups] == [person]  # as the CLI does
        assert integrations.rates(session)["noshow_rate"] == 1.0
        assert "Aucun rendez-vous à venir." in integrations.person_lines(session, person)


async def test_excused_in_advance_stays_on_the_day_list(
    chat: Chat, integrations: LiveIntegrations, add_staff: Callable[..., int], clock: FrozenClock
) -> None:
    claire = add_staff("Claire Martin", "claire@example.org")
    await chat.consent()
    with chat.assistant.sessions() as session:
        person = session.scalars(select(Person.id)).one()
    booking = book_thursday(chat.assistant, person, clock())
    with chat.assistant.sessions() as session:
        assert integrations.mark_attendance(session, booking, "excused", claire)
        session.commit()
    with chat.assistant.sessions() as session:
        rows = integrations.day(session, date(2026, 11, 26))
        assert [(r.id, r.attendance) for r in rows] == [(booking, "excused")]
        assert rows[0].who == "Samia"  # the name the person gave, not a participant


async def test_caseload_page_lists_the_enrolled_and_the_day_view_marks_attendance(
    chat: Chat,
    client: TestClient,
    integrations: LiveIntegrations,
    add_staff: Callable[..., int],
    clock: FrozenClock,
) -> None:
    add_staff("Claire Martin", "claire@example.org")
    assert sign_in(client, "claire@example.org") == 303
    enrolment = {"label": "Samia Benali", "orientation_on": "2026-11-20"}
    assert post(client, "/caseload/enrol", enrolment, page="/caseload") == 303
    page = client.get("/caseload").text
    assert "Samia Benali" in page and "Invitation créée — à transmettre" in page
    with chat.assistant.sessions() as session:
        participant = session.scalars(select(Participant)).one()
        invitation = participant.invitations[0]
        assert participant.orientation_on == date(2026, 11, 20)
    # No bot username in the test settings: a warning and the code, no link that leads nowhere.
    assert "TELEGRAM_BOT_USERNAME" in page and "t.me/" not in page and 'class="qr"' not in page
    code = page.split("<code>")[1].split("</code>")[0]
    assert invitation.code_hash == hash_code(code)
    person = await linked_person(chat, code)
    booking = book_thursday(chat.assistant, person, clock())
    day = client.get("/day?date=2026-11-26").text
    assert f'id="rdv-{booking}"' in day and "Samia Benali" in day and "9 h 00" in day

    clock.now = AFTER_IT
    assert sign_in(client, "claire@example.org") == 303  # two days later: a new session
    status = post(
        client,
        f"/appointments/{booking}/attendance",
        {"status": "seen", "date": "2026-11-26"},
        page="/day?date=2026-11-26",
    )
    assert status == 303
    day = client.get("/day?date=2026-11-26").text
    assert "Émargement enregistré : Venu(e)." in day
    assert "<strong>Venu(e)</strong>" in day


async def test_booked_then_seen_meetings_count_for_the_cadence(
    assistant: Assistant,
    integrations: LiveIntegrations,
    add_staff: Callable[..., int],
    clock: FrozenClock,
) -> None:
    claire = add_staff("Claire Martin", "claire@example.org")
    code = enrol(assistant, integrations, claire, "Samia Benali")
    person = await linked_person(Chat(assistant), code)
    booking = book_thursday(assistant, person, clock())
    with assistant.sessions() as session:
        (row,) = integrations.caseload(session, claire)
    assert row.meetings_this_month == "1 / 2"  # booked: planned this month
    assert "tenu" not in row.first_meeting
    clock.now = AFTER_IT
    with assistant.sessions() as session:
        assert integrations.mark_attendance(session, booking, "seen", claire)
        session.commit()
    with assistant.sessions() as session:
        (row,) = integrations.caseload(session, claire)
    assert row.first_meeting.startswith("tenu")  # the seen RSA meeting is the first meeting
    assert row.meetings_this_month == "1 / 2"


async def test_the_day_list_shows_the_first_name_and_phone_given_while_booking(
    chat: Chat,
    client: TestClient,
    add_staff: Callable[..., int],
) -> None:
    with chat.assistant.sessions() as session:  # real hours: the number is asked
        session.execute(update(OpeningPeriod).values(example=False))
        session.commit()
    await chat.consent()
    await to_the_name_question(chat)
    await chat.say("Léa")
    await chat.press_label("Oui, je donne mon numéro")
    await chat.say("06 12 34 56 78")
    await chat.press_label("Je confirme")
    add_staff("Claire Martin", "claire@example.org")
    assert sign_in(client, "claire@example.org") == 303
    for url in ("/day?date=2026-11-24", "/"):
        page = client.get(url).text
        assert "Léa" in page, url
        assert 'href="tel:+33612345678"' in page and "06 12 34 56 78" in page, url


def test_the_enrolment_form_takes_a_mobile_number_for_sms(
    client: TestClient,
    integrations: LiveIntegrations,
    add_staff: Callable[..., int],
    chat: Chat,
    clock: FrozenClock,
) -> None:
    from store.models import ChannelAccount

    claire = add_staff("Claire Martin", "claire@example.org")
    assert sign_in(client, "claire@example.org") == 303
    page = client.get("/caseload").text
    assert 'name="channel" value="sms"' in page and 'type="tel"' in page
    bad = {
        "label": "Karim Haddad",
        "orientation_on": "2026-11-20",
        "referent": str(claire),
        "channel": "sms",
        "phone": "03 28 12 34 56",
    }
    token = csrf_of(client.get("/caseload").text)
    refused = client.post("/caseload/enrol", data={**bad, "csrf": token}, follow_redirects=False)
    assert refused.status_code == 400  # the form again, with what to fix
    assert "il faut un portable (06 ou 07)" in refused.text
    assert 'value="03 28 12 34 56"' in refused.text  # kept, to correct
    with chat.assistant.sessions() as session:
        assert session.scalars(select(Participant)).all() == []  # nothing created
    good = {**bad, "phone": "07 81 23 45 67"}
    assert post(client, "/caseload/enrol", good, page="/caseload") == 303
    page = client.get("/caseload").text
    assert "le suivi de la semaine partira par SMS" in page and "Lien à transmettre" not in page
    assert "781234567" not in page  # the number is not shown back
    with chat.assistant.sessions() as session:
        participant = session.scalars(select(Participant)).one()
        account = session.scalars(select(ChannelAccount)).one()
        assert account.external_ref == "+33781234567"
        assert participant.person_id == account.person_id
        # Brevo's delivery reports, as the conversation page shows them.
        from store import sms as sms_store

        sms_store.sent(session, 11, account.person_id, 1, clock())
        sms_store.sent(session, 12, account.person_id, 2, clock())
        sms_store.report(session, 11, "sent", None, clock())
        sms_store.report(session, 12, "failed", "Numéro inexistant", clock())
        session.commit()
    page = client.get(f"/conversations/{account.person_id}").text
    assert "Derniers SMS envoyés (2)" in page
    assert ": reçu" in page and "non reçu (Numéro inexistant)" in page
    set_staff_locale("en")  # English staff read the delivery states in English
    page = client.get(f"/conversations/{account.person_id}").text
    assert "Last SMS sent (2)" in page
    assert ": received" in page and "not received (Numéro inexistant)" in page


def test_the_indicators_show_the_weeks_sms_and_their_estimated_cost(
    client: TestClient, add_staff: Callable[..., int], chat: Chat, clock: FrozenClock
) -> None:
    from datetime import timedelta

    from store import sms as sms_store

    with chat.assistant.sessions() as session:
        sms_store.sent(session, 1, None, 2, clock())
        sms_store.sent(session, 2, None, 1, clock() - timedelta(hours=1))
        sms_store.sent(session, 3, None, 2, clock() - timedelta(days=7))  # last week
        session.commit()
    add_staff("Claire Martin", "claire@example.org")
    assert sign_in(client, "claire@example.org") == 303
    page = client.get("/indicators").text
    assert "SMS cette semaine : 2 SMS envoyés, 3 segments" in page
    assert "coût estimé : 0,14 €" in page  # 3 x 0.045 (placeholder price)
    assert "valeur provisoire" in page
