"""The caseload's rows and a participant's page, from the scheduler's compliance report.

Nothing is recomputed here: the report (``capabilities.programme.caseload``) and the
contacts are turned into the short rows a counsellor reads, in ``STAFF_LANGUAGE``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from capabilities.programme import periods
from capabilities.programme.caseload import open_caseload, recent_contacts
from capabilities.programme.contacts import KIND_LABELS
from capabilities.programme.report import ParticipantLine
from capabilities.programme.rules import Rules
from console.integrations import CaseloadRow, ContactRow, ParticipantView
from console.programme_text import (
    ANSWERS,
    answer_label,
    cadence_line,
    rule_label,
    status_label,
    weekly_text,
)
from core.clock import to_paris
from core.i18n import N_, staff_gettext, staff_ngettext
from store import repo_console, repo_today
from store.db import Session
from store.programme import Participant

CONTACTS_SHOWN = 20
WEEK_CHECKIN = N_("Suivi de la semaine")  # a contact that is the week's check-in answer


def _fmt(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _checkin_note(answer: str | None) -> str:
    return answer_label(answer) if answer is not None and answer in ANSWERS else ""


def caseload(
    session: Session, staff_id: int | None, now: datetime, rules: Rules
) -> list[CaseloadRow]:
    """Open participants (one counsellor's, or all) with the scheduler's compliance report."""
    open_lines = open_caseload(session, now, rules, staff_id)
    week = periods.iso_week(periods.local_day(now))
    answers = repo_today.week_answers(session, [p.id for p, _line in open_lines], week)
    rows = [
        caseload_row(participant, line, rules, answers.get(participant.id))
        for participant, line in open_lines
    ]
    rows.sort(key=lambda row: (not row.overdue, row.name.lower()))
    return rows


def _first_meeting(p: Participant, line: ParticipantLine, rules: Rules, late: bool) -> str:
    days = line.days_to_first_meeting
    if days is not None:
        return staff_ngettext("tenu en {days} jour", "tenu en {days} jours", days).format(days=days)
    deadline = _fmt(p.orientation_on + timedelta(days=rules.first_meeting.within_days))
    if late:
        return staff_gettext("en retard, à tenir avant le {date}").format(date=deadline)
    return staff_gettext("à tenir avant le {date}").format(date=deadline)


def _diagnosis(p: Participant, rules: Rules, late: bool) -> str:
    if p.diagnosis_3m_on is not None:
        return staff_gettext("fait le {date}").format(date=_fmt(p.diagnosis_3m_on))
    start = p.programme_start or p.orientation_on
    due = _fmt(periods.add_months(start, rules.diagnosis.after_months))
    if late:
        return staff_gettext("en retard, prévu le {date}").format(date=due)
    return staff_gettext("prévu le {date}").format(date=due)


def caseload_row(
    p: Participant, line: ParticipantLine, rules: Rules, answer: str | None
) -> CaseloadRow:
    """One participant's row: weekly contact, meetings, first meeting, CER, diagnosis."""
    overdue = [code for code in line.overdue.split(",") if code]
    weekly = weekly_text(
        line.weeks_with_contact,
        line.weeks_due,
        before_first=line.days_to_first_meeting is None,
        missing="no_contact_this_week" in overdue,
        answer=answer_label(answer) if answer is not None else None,
    )
    if p.cer_signed_on is not None:
        cer = staff_gettext("signé le {date}").format(date=_fmt(p.cer_signed_on))
    elif "cer_missing" in overdue:
        cer = staff_gettext("à enregistrer")
    else:
        cer = staff_gettext("pas encore signé")
    name = p.name if p.person_id else f"{p.name} ({status_label('invited')})"
    return CaseloadRow(
        person_id=p.person_id or 0,
        name=name,
        counsellor_id=p.counsellor_id,
        overdue=bool(overdue),
        weekly_contact=weekly,
        meetings_this_month=f"{line.meetings_this_month} / {rules.physical_meetings.per_month}",
        first_meeting=_first_meeting(p, line, rules, "first_meeting_overdue" in overdue),
        cer=cer,
        diagnosis=_diagnosis(p, rules, "diagnosis_3m_overdue" in overdue),
        extra={
            "participant_id": str(p.id),
            "status": status_label(p.status),
            "retards": ", ".join(rule_label(code) for code in overdue),
        },
    )


def participant_view(
    session: Session, participant_id: int, now: datetime, rules: Rules
) -> ParticipantView | None:
    """Compliance as in the caseload, the cadence line, and the last contacts."""
    p = session.get(Participant, participant_id)
    if p is None:
        return None
    row = next(
        (
            r
            for r in caseload(session, p.counsellor_id, now, rules)
            if r.extra.get("participant_id") == str(p.id)
        ),
        None,
    )
    lines = [staff_gettext("Programme RSA : {status}.").format(status=status_label(p.status))]
    if row is not None:
        lines += [
            staff_gettext("Contact hebdomadaire : {value}").format(value=row.weekly_contact),
            staff_gettext("Rencontres ce mois : {value}").format(value=row.meetings_this_month),
            staff_gettext("1er entretien : {value}").format(value=row.first_meeting),
            staff_gettext("CER : {value}").format(value=row.cer),
            staff_gettext("Diagnostic : {value}").format(value=row.diagnosis),
        ]
    lines.append(cadence_line(session, p, now, rules))
    names = repo_console.staff_name_pairs(session)
    contacts = [
        ContactRow(
            when=to_paris(event.occurred_at).strftime("%d/%m/%Y %H:%M"),
            kind=staff_gettext(KIND_LABELS.get(event.kind) or WEEK_CHECKIN),
            note=event.text or (_checkin_note(event.answer) if event.kind == "checkin" else ""),
            by=names.get(
                event.recorded_by or 0,
                staff_gettext("la personne") if event.person_id else "—",
            ),
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
