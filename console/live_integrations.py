"""The console's view of the real appointments and RSA programme modules.

Everything here reuses the capabilities' own functions: enrolment and invitations
(``capabilities.programme.enrolment``), the cadence and its compliance report (``scheduler``),
bookings, attendance and their statistics (``capabilities.appointments``). Nothing is recomputed
here. The caseload's rows and a participant's page are in :mod:`console.live_caseload`, the
programme's words (labels, the conversation page's lines) in :mod:`console.programme_text`;
everything staff read is in ``STAFF_LANGUAGE``.
"""

from __future__ import annotations

from datetime import date, datetime

from starlette.exceptions import HTTPException

from capabilities.appointments.booking import BookingError, mark_attendance
from capabilities.appointments.day_sheet import day_sheet
from capabilities.appointments.describe import place_of
from capabilities.handoff.queue import names_of
from capabilities.programme.contacts import record_contact
from capabilities.programme.enrolment import participant_of
from capabilities.programme.rules import Rules, default_rules
from capabilities.programme.today import mark_done, open_tasks
from console.integrations import (
    AppointmentRow,
    CaseloadRow,
    Enrolment,
    ParticipantView,
    TaskRow,
)
from console.live_caseload import caseload, participant_view
from console.live_enrolment import enrol_participant
from console.live_rates import programme_rates
from console.programme_text import person_lines, rule_label
from core.clock import Clock, to_paris, utcnow
from core.i18n import N_, format_clock, staff_gettext, staff_locale
from core.phone import readable
from store import repo_appointments, repo_console_agenda
from store.appointments import BookingContact
from store.db import Session
from store.programme import Participant

REFUSALS = {
    "future": N_(
        "Ce rendez-vous n'a pas encore commencé : « Venu(e) » et « Absent(e) » se notent "
        "après l'heure prévue. Rien n'a été modifié."
    ),
    "not_active": N_("Ce rendez-vous a été annulé ou déplacé : rien n'a été modifié."),
}


def _phone(contact: BookingContact | None) -> dict[str, str]:
    """The number a person gave while booking (with consent), for the day list."""
    if contact is None or not contact.phone:
        return {}
    return {"phone": readable(contact.phone), "phone_e164": contact.phone}


class LiveIntegrations:
    """Appointments and programme for the console, on the request's database session."""

    def __init__(
        self, clock: Clock = utcnow, username: str | None = None, rules: Rules | None = None
    ) -> None:
        self.clock = clock
        self.username = username
        self._rules = rules

    @property
    def rules(self) -> Rules:
        """The cadence rules (``config/cadence.yaml`` unless given)."""
        return self._rules or default_rules()

    # --- who follows whom -------------------------------------------------------------

    def owner_of(self, session: Session, person_id: int) -> int | None:
        """The referent counsellor of the participant linked to this person."""
        participant = participant_of(session, person_id)
        return participant.counsellor_id if participant is not None else None

    # --- caseload -------------------------------------------------------------------

    def caseload(self, session: Session, staff_id: int | None) -> list[CaseloadRow]:
        """Open participants (one counsellor's, or all) with the scheduler's compliance report."""
        return caseload(session, staff_id, self.clock(), self.rules)

    def enrol(
        self,
        session: Session,
        staff_id: int,
        label: str,
        orientation_on: date | None = None,
        phone: str | None = None,
    ) -> Enrolment | None:
        """Enrol through the programme (``staff_id`` the referent; orientation today unless
        given) and hand back the invitation code; with a phone (E.164), followed by SMS (no
        invitation)."""
        return enrol_participant(
            session,
            staff_id=staff_id,
            label=label,
            orientation_on=orientation_on,
            phone=phone,
            now=self.clock(),
            username=self.username,
            rules=self.rules,
        )

    # --- the day's appointments (émargement) ----------------------------------------

    def day(self, session: Session, day: date) -> list[AppointmentRow]:
        """The day's bookings per Espace; those excused or revoked in advance stay listed."""
        bookings = day_sheet(session, day)
        motifs = repo_console_agenda.motif_labels(session)
        people = {b.person_id for b in bookings if b.person_id}
        names = self._names(session, people)
        contacts = repo_appointments.contacts_of(session, people)
        places: dict[str, str] = {}
        rows = []
        for b in bookings:
            if b.espace_id not in places:
                places[b.espace_id] = place_of(session, b.espace_id).name
            rows.append(
                AppointmentRow(
                    id=b.id,
                    person_id=b.person_id,
                    espace=places[b.espace_id],
                    starts=format_clock(b.starts_at, staff_locale()),
                    who=names.get(b.person_id or 0, staff_gettext("(données effacées)")),
                    motif=motifs.get(b.motif_id, b.motif_id),
                    attendance=None if b.attendance == "unknown" else b.attendance,
                    **_phone(contacts.get(b.person_id or 0)),
                )
            )
        return rows

    def _names(self, session: Session, person_ids: set[int]) -> dict[int, str]:
        """Participant name, else the name the person gave (while booking first), else their
        channel."""
        ids = sorted(person_ids)
        given: dict[int, str | None] = dict(repo_console_agenda.display_names(session, set(ids)))
        for person_id, contact in repo_appointments.contacts_of(session, ids).items():
            if contact.first_name:
                given[person_id] = contact.first_name
        return names_of(session, ids, given)

    def mark_attendance(
        self, session: Session, appointment_id: int, status: str, staff_id: int
    ) -> bool:
        """The booking module's attendance (no-show follow-up, waiting list) as in the CLI."""
        try:
            mark_attendance(
                session, booking_id=appointment_id, status=status, now=self.clock(), by="staff"
            )
        except BookingError as error:
            if error.reason in REFUSALS:
                raise HTTPException(409, staff_gettext(REFUSALS[error.reason])) from error
            return False
        return True

    # --- the day page's tasks ------------------------------------------------------

    def tasks(self, session: Session, staff_id: int | None) -> list[TaskRow]:
        """The programme's open tasks due by tonight, alerts first."""
        return [
            TaskRow(
                id=t.id,
                kind=t.kind,
                label=rule_label(t.rule),
                reason=t.reason,
                due=to_paris(t.due_at).strftime("%d/%m/%Y"),
                name=t.name or staff_gettext("(participant effacé)"),
                participant_id=t.participant_id,
                person_id=t.person_id,
            )
            for t in open_tasks(session, staff_id, self.clock())
        ]

    def task_done(self, session: Session, task_id: int, staff_id: int | None) -> bool:
        """Close the task (a counsellor's own, or any for an admin)."""
        return mark_done(session, task_id, staff_id, self.clock())

    # --- the conversation page ------------------------------------------------------

    def person_lines(self, session: Session, person_id: int) -> list[str]:
        """Upcoming appointments, the last check-in answer and the cadence status."""
        return person_lines(session, person_id, self.clock(), self.rules)

    # --- a participant's page and their contacts --------------------------------------

    def participant_of_person(self, session: Session, person_id: int) -> int | None:
        """The participant linked to this person."""
        participant = participant_of(session, person_id)
        return participant.id if participant is not None else None

    def participant(self, session: Session, participant_id: int) -> ParticipantView | None:
        """Compliance as in the caseload, the cadence line, and the last contacts."""
        return participant_view(session, participant_id, self.clock(), self.rules)

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
        """The programme's own :func:`record_contact` (the CLI's), refusing the future."""
        participant = session.get(Participant, participant_id)
        if participant is None:
            return False
        record_contact(
            session,
            participant,
            kind=kind,
            at=at,
            note=note,
            by=staff_id,
            which=which,
            now=self.clock(),
        )
        return True

    # --- indicators -----------------------------------------------------------------

    def rates(self, session: Session) -> dict[str, float | None]:
        """No-show rate and weekly-contact compliance (:mod:`console.live_rates`)."""
        return programme_rates(session, self.clock(), self.rules)
