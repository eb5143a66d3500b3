"""The console's view of the real appointments and RSA programme modules.

Everything here reuses the capabilities' own functions: enrolment and invitations
(``capabilities.programme.enrolment``), the cadence and its compliance report (``scheduler``),
bookings, attendance and their statistics (``capabilities.appointments``). Nothing is recomputed
here: this module only turns their results into the short French rows a counsellor reads.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from starlette.exceptions import HTTPException

from capabilities.appointments.booking import BookingError, mark_attendance, upcoming
from capabilities.appointments.day_sheet import day_sheet
from capabilities.appointments.describe import place_of
from capabilities.handoff.queue import names_of
from capabilities.programme import periods
from capabilities.programme.cadence import PARTICIPANT_KINDS, due_actions
from capabilities.programme.caseload import last_checkin, open_caseload, recent_contacts
from capabilities.programme.checkin import ANSWER_LABELS
from capabilities.programme.contacts import KIND_LABELS, record_contact
from capabilities.programme.enrolment import participant_of
from capabilities.programme.planning import participant_row
from capabilities.programme.report import ParticipantLine
from capabilities.programme.rules import Rules, default_rules
from capabilities.programme.today import mark_done, open_tasks, with_week_answer
from console.integrations import (
    AppointmentRow,
    CaseloadRow,
    ContactRow,
    Enrolment,
    ParticipantView,
    TaskRow,
)
from console.live_enrolment import enrol_participant
from console.live_rates import programme_rates
from core.clock import Clock, to_paris, utcnow
from core.i18n import format_clock, format_when
from core.phone import readable
from store import repo_appointments, repo_console, repo_console_agenda, repo_today
from store.appointments import BookingContact
from store.db import Session
from store.programme import Participant
from store.staff import Staff

# Short labels of the cadence's reason codes (the full sentences are in the counsellor tasks).
RULE_LABELS = {
    "first_meeting_not_booked": "1er entretien à fixer",
    "first_meeting_overdue": "1er entretien en retard",
    "cer_missing": "CER à enregistrer",
    "checkin_unanswered": "suivi sans réponse",
    "no_contact_this_week": "pas de contact cette semaine",
    "meetings_not_planned": "rencontres du mois à prévoir",
    "meetings_missed": "rencontres du mois dernier manquées",
    "duration_out_of_range": "durée du programme à revoir",
    "diagnosis_3m_due": "diagnostic à 3 mois à faire",
    "diagnosis_3m_overdue": "diagnostic à 3 mois en retard",
    "programme_end_approaching": "fin d'accompagnement proche",
    "final_diagnosis_overdue": "diagnostic final en retard",
    "meeting_requested": "rencontre demandée : proposer une date",
    "situation_change": "emploi ou formation trouvé : à vérifier",
    "participant_unreachable": "injoignable sur la messagerie",
    "sms_unconfirmed": "SMS non confirmé : à vérifier",
}
ANSWERS = {**dict(ANSWER_LABELS), "free_text": "message écrit"}
STATUS_LABELS = {"invited": "invitation créée, compte pas encore relié", "active": "actif"}
REFUSALS = {
    "future": "Ce rendez-vous n'a pas encore commencé : « Venu(e) » et « Absent(e) » se notent "
    "après l'heure prévue. Rien n'a été modifié.",
    "not_active": "Ce rendez-vous a été annulé ou déplacé : rien n'a été modifié.",
}
UPCOMING_SHOWN = 3
CONTACTS_SHOWN = 20


def _fmt(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


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
        now = self.clock()
        open_lines = open_caseload(session, now, self.rules, staff_id)
        week = periods.iso_week(periods.local_day(now))
        answers = repo_today.week_answers(session, [p.id for p, _line in open_lines], week)
        rows = [self._caseload_row(participant, line, now) for participant, line in open_lines]
        for row, (participant, _line) in zip(rows, open_lines, strict=True):
            answer = answers.get(participant.id)
            if answer is not None:
                row.weekly_contact = with_week_answer(
                    row.weekly_contact, ANSWERS.get(answer, answer)
                )
        rows.sort(key=lambda row: (not row.overdue, row.name.lower()))
        return rows

    def _caseload_row(self, p: Participant, line: ParticipantLine, now: datetime) -> CaseloadRow:
        rules = self.rules
        overdue = [code for code in line.overdue.split(",") if code]
        if line.weeks_due:
            weekly = f"{line.weeks_with_contact}/{line.weeks_due} semaines"
        else:
            weekly = "à partir du 1er entretien" if line.days_to_first_meeting is None else "—"
        if "no_contact_this_week" in overdue:
            weekly += " (pas de contact cette semaine)"
        if line.days_to_first_meeting is not None:
            first = f"tenu en {line.days_to_first_meeting} j"
        else:
            deadline = p.orientation_on + timedelta(days=rules.first_meeting.within_days)
            late = "first_meeting_overdue" in overdue
            first = f"{'en retard, ' if late else ''}à tenir avant le {_fmt(deadline)}"
        if p.cer_signed_on is not None:
            cer = f"signé le {_fmt(p.cer_signed_on)}"
        else:
            cer = "à enregistrer" if "cer_missing" in overdue else "pas encore signé"
        start = p.programme_start or p.orientation_on
        if p.diagnosis_3m_on is not None:
            diagnosis = f"fait le {_fmt(p.diagnosis_3m_on)}"
        else:
            due = periods.add_months(start, rules.diagnosis.after_months)
            late = "diagnosis_3m_overdue" in overdue
            diagnosis = f"{'en retard, ' if late else ''}prévu le {_fmt(due)}"
        return CaseloadRow(
            person_id=p.person_id or 0,
            name=p.name if p.person_id else f"{p.name} ({STATUS_LABELS['invited']})",
            counsellor_id=p.counsellor_id,
            overdue=bool(overdue),
            weekly_contact=weekly,
            meetings_this_month=f"{line.meetings_this_month} / {rules.physical_meetings.per_month}",
            first_meeting=first,
            cer=cer,
            diagnosis=diagnosis,
            extra={
                "participant_id": str(p.id),
                "status": STATUS_LABELS.get(p.status, p.status),
                "retards": ", ".join(RULE_LABELS.get(code, code) for code in overdue),
            },
        )

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
                    starts=format_clock(b.starts_at, "fr"),
                    who=names.get(b.person_id or 0, "(données effacées)"),
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
                raise HTTPException(409, REFUSALS[error.reason]) from error
            return False
        return True

    # --- the day page's tasks ------------------------------------------------------

    def tasks(self, session: Session, staff_id: int | None) -> list[TaskRow]:
        """The programme's open tasks due by tonight, alerts first."""
        return [
            TaskRow(
                id=t.id,
                kind=t.kind,
                label=RULE_LABELS.get(t.rule, t.rule.replace("_", " ")),
                reason=t.reason,
                due=to_paris(t.due_at).strftime("%d/%m/%Y"),
                name=t.name or "(participant effacé)",
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
        now = self.clock()
        lines = []
        bookings = upcoming(session, person_id, now)
        motifs = repo_console_agenda.motif_labels(session)
        for b in bookings[:UPCOMING_SHOWN]:
            place = place_of(session, b.espace_id).name
            label = motifs.get(b.motif_id, b.motif_id)
            lines.append(f"Rendez-vous : {format_when(b.starts_at, 'fr')}, {label}, {place}")
        if not bookings:
            lines.append("Aucun rendez-vous à venir.")
        participant = participant_of(session, person_id)
        if participant is None:
            return lines
        counsellor = session.get(Staff, participant.counsellor_id or 0)
        status = STATUS_LABELS.get(participant.status, participant.status)
        who = f", suivi par {counsellor.name}" if counsellor else ""
        lines.append(f"Programme RSA : {status}{who}.")
        answer = last_checkin(session, participant)
        if answer is not None:
            said = ANSWERS.get(answer.answer or "", answer.answer or "")
            text = f" « {answer.text[:200]} »" if answer.text else ""
            when = to_paris(answer.occurred_at).strftime("%d/%m/%Y")
            lines.append(f"Dernière réponse au suivi ({when}) : {said}{text}")
        else:
            lines.append("Pas encore de réponse au suivi de la semaine.")
        lines.append(self._cadence_line(session, participant, now))
        return lines

    def _cadence_line(self, session: Session, participant: Participant, now: datetime) -> str:
        row = participant_row(session, participant.id, now)
        if row is None:
            return "Cadence : accompagnement terminé."
        late = sorted(
            {
                action.rule
                for action in due_actions(row.state, row.history, now, self.rules)
                if action.kind not in PARTICIPANT_KINDS
            }
        )
        if not late:
            return "Cadence : à jour."
        return "Cadence : " + ", ".join(RULE_LABELS.get(code, code) for code in late) + "."

    # --- a participant's page and their contacts --------------------------------------

    def participant_of_person(self, session: Session, person_id: int) -> int | None:
        """The participant linked to this person."""
        participant = participant_of(session, person_id)
        return participant.id if participant is not None else None

    def participant(self, session: Session, participant_id: int) -> ParticipantView | None:
        """Compliance as in the caseload, the cadence line, and the last contacts."""
        p = session.get(Participant, participant_id)
        if p is None:
            return None
        now = self.clock()
        row = next(
            (
                r
                for r in self.caseload(session, p.counsellor_id)
                if r.extra.get("participant_id") == str(p.id)
            ),
            None,
        )
        lines = [f"Programme RSA : {STATUS_LABELS.get(p.status, p.status)}."]
        if row is not None:
            lines += [
                f"Contact hebdomadaire : {row.weekly_contact}",
                f"Rencontres ce mois : {row.meetings_this_month}",
                f"1er entretien : {row.first_meeting}",
                f"CER : {row.cer}",
                f"Diagnostic : {row.diagnosis}",
            ]
        lines.append(self._cadence_line(session, p, now))
        names = repo_console.staff_name_pairs(session)
        contacts = [
            ContactRow(
                when=to_paris(event.occurred_at).strftime("%d/%m/%Y %H:%M"),
                kind=KIND_LABELS.get(event.kind, "Suivi de la semaine"),
                note=(
                    event.text
                    or (ANSWERS.get(event.answer or "", "") if event.kind == "checkin" else "")
                    or ""
                ),
                by=names.get(event.recorded_by or 0, "la personne" if event.person_id else "—"),
            )
            for event in recent_contacts(session, p, CONTACTS_SHOWN)
        ]
        return ParticipantView(
            id=p.id,
            name=p.name,
            counsellor_id=p.counsellor_id,
            person_id=p.person_id,
            lines=lines,
            contacts=contacts,
        )

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
