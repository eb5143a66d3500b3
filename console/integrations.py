"""Optional data from other capabilities (appointments, programme), behind one small port.

The console works without them; the composition root passes real implementations once
those modules exist, tests pass fakes. Every method is synchronous and runs in the
request's database session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from core.i18n import N_
from store.db import Session

ATTENDANCE = {  # N_: translated where shown (``_attendance.html``)
    "seen": N_("Venu(e)"),
    "excused": N_("Excusé(e)"),
    "noshow": N_("Absent(e)"),
    "revoked": N_("Annulé par l'Espace"),
}


@dataclass
class AppointmentRow:
    """One appointment of the day view."""

    id: int
    person_id: int | None
    espace: str
    starts: str  # "14 h 00", Paris time
    who: str
    motif: str
    attendance: str | None = None
    phone: str = ""  # given while booking, with consent: "06 12 34 56 78"
    phone_e164: str = ""  # for the tel: link


@dataclass
class CaseloadRow:
    """One participant of a counsellor's caseload, with cadence compliance."""

    person_id: int
    name: str
    counsellor_id: int | None
    overdue: bool
    weekly_contact: str = ""
    meetings_this_month: str = ""
    first_meeting: str = ""
    cer: str = ""
    diagnosis: str = ""
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class ContactRow:
    """One recorded contact of a participant (a check-in answer, a call, the CER…)."""

    when: str  # "24/11/2026 10:00", Paris time
    kind: str
    note: str
    by: str


@dataclass
class ParticipantView:
    """A participant's page: who follows them, where the cadence stands, recent contacts."""

    id: int
    name: str
    counsellor_id: int | None
    person_id: int | None
    lines: list[str]
    contacts: list[ContactRow] = field(default_factory=list)


@dataclass
class TaskRow:
    """One open programme task or alert of the day page, one click from its action."""

    id: int
    kind: str  # task|alert
    label: str  # short label of the rule ("1er entretien à fixer")
    reason: str  # the full sentence stored with the task
    due: str  # "24/11/2026", Paris time
    name: str  # the participant, as the counsellor entered them
    participant_id: int | None
    person_id: int | None


@dataclass
class Enrolment:
    """A new participant's invitation (deep link code)."""

    code: str
    person_label: str


class Integrations(Protocol):
    """What the console needs from appointments and programme modules."""

    def person_lines(self, session: Session, person_id: int) -> list[str]:
        """Context lines (appointments, check-ins, cadence status) for a conversation page."""
        ...

    def owner_of(self, session: Session, person_id: int) -> int | None:
        """The staff id of a participant's referent counsellor, if the person is one."""
        ...

    def caseload(self, session: Session, staff_id: int | None) -> list[CaseloadRow]:
        """Participants of one counsellor (``None``: everyone), overdue first."""
        ...

    def enrol(
        self,
        session: Session,
        staff_id: int,
        label: str,
        orientation_on: date | None = None,
        phone: str | None = None,
    ) -> Enrolment | None:
        """Enrol a participant followed by ``staff_id`` (their referent), oriented on
        ``orientation_on`` (``None``: today), and return the invitation code (None: not
        available); with ``phone`` (E.164, validated), followed by SMS: no invitation (``code``
        empty)."""
        ...

    def day(self, session: Session, day: date) -> list[AppointmentRow]:
        """Appointments of the day, every Espace."""
        ...

    def mark_attendance(
        self, session: Session, appointment_id: int, status: str, staff_id: int
    ) -> bool:
        """Record attendance (émargement); False when the appointment is unknown."""
        ...

    def rates(self, session: Session) -> dict[str, float | None]:
        """``noshow_rate`` and ``weekly_contact_rate`` (0–1), None when unknown."""
        ...

    def participant(self, session: Session, participant_id: int) -> ParticipantView | None:
        """A participant's page data; None when unknown (or no programme)."""
        ...

    def participant_of_person(self, session: Session, person_id: int) -> int | None:
        """The participant linked to a person (for a link from the conversation page)."""
        ...

    def tasks(self, session: Session, staff_id: int | None) -> list[TaskRow]:
        """Open programme tasks due by tonight (one counsellor's; ``None``: all), alerts first."""
        ...

    def task_done(self, session: Session, task_id: int, staff_id: int | None) -> bool:
        """Mark a task done (``staff_id`` None: an admin); False when unknown or not theirs."""
        ...

    def record_contact(
        self,
        session: Session,
        participant_id: int,
        *,
        kind: str,
        at: datetime,
        note: str,
        staff_id: int,
        which: str | None,
    ) -> bool:
        """Record a counsellor's contact as the CLI does; False when unavailable.

        Raises ``ValueError`` (a French sentence) when the contact is refused."""
        ...


class NoIntegrations:
    """The console alone: no appointments, no programme yet."""

    def tasks(self, session: Session, staff_id: int | None) -> list[TaskRow]:
        """No programme: no tasks."""
        return []

    def task_done(self, session: Session, task_id: int, staff_id: int | None) -> bool:
        """No programme: nothing to close."""
        return False

    def person_lines(self, session: Session, person_id: int) -> list[str]:
        """Nothing to add."""
        return []

    def owner_of(self, session: Session, person_id: int) -> int | None:
        """Nobody is a participant."""
        return None

    def caseload(self, session: Session, staff_id: int | None) -> list[CaseloadRow]:
        """No programme: empty caseload."""
        return []

    def enrol(
        self,
        session: Session,
        staff_id: int,
        label: str,
        orientation_on: date | None = None,
        phone: str | None = None,
    ) -> Enrolment | None:
        """Not available without the programme module."""
        return None

    def day(self, session: Session, day: date) -> list[AppointmentRow]:
        """No appointments module."""
        return []

    def mark_attendance(
        self, session: Session, appointment_id: int, status: str, staff_id: int
    ) -> bool:
        """Nothing to mark."""
        return False

    def rates(self, session: Session) -> dict[str, float | None]:
        """Unknown."""
        return {"noshow_rate": None, "weekly_contact_rate": None}

    def participant(self, session: Session, participant_id: int) -> ParticipantView | None:
        """No programme: no participant."""
        return None

    def participant_of_person(self, session: Session, person_id: int) -> int | None:
        """No programme: nobody."""
        return None

    def record_contact(
        self,
        session: Session,
        participant_id: int,
        *,
        kind: str,
        at: datetime,
        note: str,
        staff_id: int,
        which: str | None,
    ) -> bool:
        """Not available without the programme module."""
        return False
