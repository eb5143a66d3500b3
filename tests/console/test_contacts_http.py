"""Recording a contact from the console, on the real programme (clock: Tue 24 Nov 10:00).

The console calls the same function as ``python -m scheduler contact``: the contact counts
for the week's contact, the CER and the diagnoses, and shows in the cadence status.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from capabilities.assistant.assistant import Assistant
from console.live_integrations import LiveIntegrations
from core.clock import FrozenClock
from store.console_models import AuditEntry
from store.programme import ContactEvent, Participant
from tests.console.conftest import csrf_of, sign_in


@pytest.fixture
def integrations(clock: FrozenClock) -> LiveIntegrations:  # replaces the fake of conftest
    return LiveIntegrations(clock=clock, username="Emplois20000Bot")


@pytest.fixture
def claire(add_staff: Callable[..., int]) -> int:
    return add_staff("Claire Martin", "claire@example.org")


@pytest.fixture
def participant(assistant: Assistant, integrations: LiveIntegrations, claire: int) -> int:
    with assistant.sessions() as session:
        enrolment = integrations.enrol(session, claire, "Samia Benali")
        session.commit()
        assert enrolment is not None
        return int(session.scalars(select(Participant.id)).one())


def record(
    client: TestClient, participant: int, kind: str, at: str = "", **extra: str
) -> tuple[int, str]:
    page = client.get(f"/participants/{participant}")
    assert page.status_code == 200
    response = client.post(
        f"/participants/{participant}/contacts",
        data={"kind": kind, "at": at, "csrf": csrf_of(page.text), **extra},
        follow_redirects=False,
    )
    return response.status_code, response.text


def caseload_row(client: TestClient) -> str:
    page = client.get("/caseload").text
    return page.split("Samia Benali", 1)[1].split("</tr>", 1)[0]


def contacts(assistant: Assistant) -> list[tuple[str, int | None, str | None]]:
    with assistant.sessions() as session:
        rows = session.scalars(select(ContactEvent).order_by(ContactEvent.id))
        return [(row.kind, row.recorded_by, row.text) for row in rows]


def test_contacts_count_for_the_cadence_as_from_the_command_line(
    client: TestClient,
    assistant: Assistant,
    claire: int,
    participant: int,
    clock: FrozenClock,
) -> None:
    assert sign_in(client, "claire@example.org") == 303
    page = client.get(f"/participants/{participant}").text
    assert 'value="2026-11-24T10:00"' in page  # now, Paris time, by default
    assert "CER : pas encore signé" in page
    assert record(client, participant, "cer", "2026-11-24T09:30")[0] == 303
    page = client.get(f"/participants/{participant}").text
    assert "Contact enregistré : CER signé, le 24/11/2026 à 09:30." in page
    assert "CER : signé le 24/11/2026" in page
    assert "signé le 24/11/2026" in caseload_row(client)
    assert record(client, participant, "physical", note="Premier entretien")[0] == 303
    assert "tenu en" in caseload_row(client)  # the first meeting, held today

    clock.advance(days=9)  # Thursday 3 December: no contact yet this week (due from Thursday)
    assert sign_in(client, "claire@example.org") == 303
    assert "pas de contact cette semaine" in caseload_row(client)
    assert record(client, participant, "phone", "2026-12-03T09:00", note="Point")[0] == 303
    assert "pas de contact cette semaine" not in caseload_row(client)
    page = client.get(f"/participants/{participant}").text
    assert "03/12/2026 09:00" in page and "Appel téléphonique : <bdi>Point</bdi>" in page

    assert record(client, participant, "diagnosis")[0] == 303
    assert record(client, participant, "diagnosis", which="final")[0] == 303
    with assistant.sessions() as session:
        row = session.get(Participant, participant)
        assert row is not None
        assert row.cer_signed_on == date(2026, 11, 24)
        assert row.diagnosis_3m_on == row.diagnosis_final_on == date(2026, 12, 3)
    assert contacts(assistant) == [
        ("cer", claire, None),
        ("physical", claire, "Premier entretien"),
        ("phone", claire, "Point"),
        ("diagnosis", claire, None),
        ("diagnosis", claire, None),
    ]
    with assistant.sessions() as session:
        audited = session.scalars(
            select(AuditEntry.target).where(AuditEntry.action == "contact")
        ).all()
    assert audited[0] == f"participant {participant} : cer du 24/11/2026 09:30"
    assert len(audited) == 5


@pytest.mark.parametrize(
    ("kind", "at", "message"),
    [
        ("phone", "2026-11-25T09:00", "Un contact ne peut pas être daté dans le futur."),
        ("visio", "2026-11-24T09:00", "Choisissez le type de contact."),
        ("phone", "hier", "Date et heure invalides"),
    ],
)
def test_a_wrong_contact_is_refused_and_nothing_recorded(
    client: TestClient,
    assistant: Assistant,
    participant: int,
    kind: str,
    at: str,
    message: str,
) -> None:
    assert sign_in(client, "claire@example.org") == 303
    status, page = record(client, participant, kind, at)
    assert status == 400 and message in page
    assert f'value="{at}"' in page  # what was typed is kept
    assert contacts(assistant) == []


def test_a_counsellor_cannot_record_for_another_counsellors_participant(
    client: TestClient,
    assistant: Assistant,
    add_staff: Callable[..., int],
    participant: int,
) -> None:
    add_staff("Karim Haddad", "karim@example.org")
    assert sign_in(client, "karim@example.org") == 303
    assert client.get(f"/participants/{participant}").status_code == 403
    response = client.post(
        f"/participants/{participant}/contacts",
        data={"kind": "phone", "at": "", "csrf": csrf_of(client.get("/caseload").text)},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "suivi par un autre conseiller" in response.text
    assert contacts(assistant) == []
    assert client.get("/participants/999").status_code == 404


def test_a_contact_form_without_csrf_token_is_refused(
    client: TestClient, assistant: Assistant, participant: int
) -> None:
    assert sign_in(client, "claire@example.org") == 303
    response = client.post(
        f"/participants/{participant}/contacts",
        data={"kind": "phone", "at": ""},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert contacts(assistant) == []


def test_admins_record_for_anyone_and_the_caseload_links_to_the_page(
    client: TestClient,
    assistant: Assistant,
    add_staff: Callable[..., int],
    participant: int,
) -> None:
    add_staff("Anne Admin", "anne@example.org", role="admin")
    assert sign_in(client, "anne@example.org") == 303
    assert f'href="/participants/{participant}"' in client.get("/caseload").text
    assert record(client, participant, "other", note="Courrier envoyé")[0] == 303
    with assistant.sessions() as session:
        count = session.scalar(select(func.count()).select_from(ContactEvent))
        event = session.scalars(select(ContactEvent)).one()
    assert count == 1 and event.occurred_at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
