"""Console fixtures: staff accounts, a signed-in HTTP client, fake appointments/programme."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.context import AppContext
from capabilities.assistant.assistant import Assistant
from capabilities.handoff.relay import StaffRelay, install
from console.app import create_app
from console.integrations import AppointmentRow, CaseloadRow, Enrolment, NoIntegrations
from console.security import hash_password
from console.web import ConsoleState
from core.clock import FrozenClock
from core.messages import Incoming, Kind
from core.settings import Settings
from store.staff import Staff
from tests.console.fakes import RecordingStaffGroup

PASSWORD = "correct horse battery"
STAFF_CHAT = -100123  # the counsellors' forum group


def staff_says(thread: int, text: str, update_id: int = 1) -> Incoming:
    """A counsellor's message (or command) in the staff group's topic ``thread``."""
    kind = Kind.COMMAND if text.startswith("/") else Kind.TEXT
    return Incoming(
        "telegram",
        f"{STAFF_CHAT}:{thread}",
        kind,
        text=text,
        update_id=update_id,
        display_name="Karim",
    )


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class FakeIntegrations(NoIntegrations):
    """Appointments and programme as the other capabilities will provide them."""

    owners: dict[int, int] = field(default_factory=dict)
    appointments: list[AppointmentRow] = field(default_factory=list)
    marks: list[tuple[int, str, int]] = field(default_factory=list)

    def owner_of(self, session: Session, person_id: int) -> int | None:
        return self.owners.get(person_id)

    def person_lines(self, session: Session, person_id: int) -> list[str]:
        return ["Programme RSA : contact hebdomadaire à jour"] if person_id in self.owners else []

    def caseload(self, session: Session, staff_id: int | None) -> list[CaseloadRow]:
        return [
            CaseloadRow(pid, f"Participant {pid}", owner, overdue=pid % 2 == 0, weekly_contact="ok")
            for pid, owner in self.owners.items()
            if staff_id is None or owner == staff_id
        ]

    enrolled: list[tuple[int, str, date | None]] = field(default_factory=list)

    def enrol(
        self,
        session: Session,
        staff_id: int,
        label: str,
        orientation_on: date | None = None,
        phone: str | None = None,
    ) -> Enrolment | None:
        self.enrolled.append((staff_id, label, orientation_on))
        return Enrolment(code="" if phone else "inv_ABC123", person_label=label)

    def day(self, session: Session, day: date) -> list[AppointmentRow]:
        return list(self.appointments)

    def mark_attendance(
        self, session: Session, appointment_id: int, status: str, staff_id: int
    ) -> bool:
        for row in self.appointments:
            if row.id == appointment_id:
                row.attendance = status
                self.marks.append((appointment_id, status, staff_id))
                return True
        return False


@pytest.fixture
def integrations() -> FakeIntegrations:
    return FakeIntegrations(
        appointments=[
            AppointmentRow(
                41, None, "Espace Saint-Pol-sur-Mer", "9 h 30", "Samia B.", "Inscription"
            ),
            AppointmentRow(42, None, "Espace gare de Dunkerque", "14 h 00", "Léo M.", "Suivi"),
        ]
    )


@pytest.fixture
def kicks() -> list[int]:
    return []


@pytest.fixture
def console_state(
    assistant: Assistant,
    settings: Settings,
    clock: FrozenClock,
    integrations: FakeIntegrations,
    kicks: list[int],
) -> ConsoleState:
    return ConsoleState(
        sessions=assistant.sessions,
        settings=settings,
        clock=clock,
        integrations=integrations,
        kick=lambda: kicks.append(1),
    )


@pytest.fixture
def add_staff(assistant: Assistant) -> Callable[..., int]:
    def add(name: str, email: str, role: str = "counsellor", password: str = PASSWORD) -> int:
        with assistant.sessions() as session:
            staff = Staff(name=name, email=email, role=role, password_hash=hash_password(password))
            session.add(staff)
            session.commit()
            return staff.id

    return add


@pytest.fixture
def client(console_state: ConsoleState) -> Iterator[TestClient]:
    with TestClient(create_app(console_state), base_url="http://127.0.0.1") as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> int:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    return response.status_code


def post(client: TestClient, url: str, data: dict[str, str] | None = None, page: str = "/") -> int:
    token = csrf_of(client.get(page).text)
    response = client.post(url, data={**(data or {}), "csrf": token}, follow_redirects=False)
    return response.status_code


@pytest.fixture
def group() -> RecordingStaffGroup:
    return RecordingStaffGroup()


@pytest.fixture
def relay(context: AppContext, group: RecordingStaffGroup, clock: FrozenClock) -> StaffRelay:
    return install(context, StaffRelay(context.sessions, group, STAFF_CHAT, clock=clock))
