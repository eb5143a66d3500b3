"""The programme's words as a counsellor reads them, in ``STAFF_LANGUAGE``.

Short labels of the cadence's reason codes, check-in answers and participant statuses (marked
with ``N_``, translated when shown), and the lines of the conversation page's context: the
upcoming appointments, the programme status, the last check-in answer and the cadence.
"""

from __future__ import annotations

from datetime import datetime

from capabilities.appointments.booking import upcoming
from capabilities.appointments.describe import place_of
from capabilities.programme.cadence import PARTICIPANT_KINDS, due_actions
from capabilities.programme.caseload import last_checkin
from capabilities.programme.checkin import ANSWER_LABELS
from capabilities.programme.enrolment import participant_of
from capabilities.programme.planning import participant_row
from capabilities.programme.rules import Rules
from core.clock import to_paris
from core.i18n import N_, format_when, staff_gettext, staff_locale, staff_ngettext
from store import repo_console_agenda
from store.db import Session
from store.programme import Participant
from store.staff import Staff

# Short labels of the cadence's reason codes (the full sentences are in the counsellor tasks).
RULE_LABELS = {
    "first_meeting_not_booked": N_("1er entretien à fixer"),
    "first_meeting_overdue": N_("1er entretien en retard"),
    "cer_missing": N_("CER à enregistrer"),
    "checkin_unanswered": N_("suivi sans réponse"),
    "no_contact_this_week": N_("pas de contact cette semaine"),
    "meetings_not_planned": N_("rencontres du mois à prévoir"),
    "meetings_missed": N_("rencontres du mois dernier manquées"),
    "duration_out_of_range": N_("durée du programme à revoir"),
    "diagnosis_3m_due": N_("diagnostic à 3 mois à faire"),
    "diagnosis_3m_overdue": N_("diagnostic à 3 mois en retard"),
    "programme_end_approaching": N_("fin d'accompagnement proche"),
    "final_diagnosis_overdue": N_("diagnostic final en retard"),
    "meeting_requested": N_("rencontre demandée : proposer une date"),
    "situation_change": N_("emploi ou formation trouvé : à vérifier"),
    "participant_unreachable": N_("injoignable sur la messagerie"),
    "sms_unconfirmed": N_("SMS non confirmé : à vérifier"),
}
ANSWERS = {**dict(ANSWER_LABELS), "free_text": N_("message écrit")}
STATUS_LABELS = {
    "invited": N_("invitation créée, compte pas encore relié"),
    "active": N_("actif"),
}
UPCOMING_SHOWN = 3


def rule_label(code: str) -> str:
    """A reason code's short label (the code itself, spaced, if unknown)."""
    label = RULE_LABELS.get(code)
    return staff_gettext(label) if label else code.replace("_", " ")


def answer_label(answer: str) -> str:
    """A check-in answer as staff read it (unknown codes as they are)."""
    label = ANSWERS.get(answer)
    return staff_gettext(label) if label else answer


def status_label(status: str) -> str:
    """A participant's status (invited, active…)."""
    label = STATUS_LABELS.get(status)
    return staff_gettext(label) if label else status


def weekly_text(
    with_contact: int, weeks_due: int, *, before_first: bool, missing: bool, answer: str | None
) -> str:
    """The caseload's "Contact hebdomadaire": weeks with a contact out of the weeks due, and
    this week's check-in answer once given (the count does not see it yet: "pas de contact
    cette semaine" is then dropped)."""
    if weeks_due:
        base = staff_ngettext("{met}/{weeks} semaine", "{met}/{weeks} semaines", weeks_due).format(
            met=with_contact, weeks=weeks_due
        )
    else:
        base = staff_gettext("à partir du 1er entretien") if before_first else ""
    if answer is not None:
        this_week = staff_gettext("cette semaine : {answer}").format(answer=answer)
        return f"{base} · {this_week}" if base else this_week
    if missing:
        base = f"{base} {staff_gettext('(pas de contact cette semaine)')}".strip()
    return base or "—"


def cadence_line(session: Session, participant: Participant, now: datetime, rules: Rules) -> str:
    """What the cadence still expects of the counsellor, in one line."""
    row = participant_row(session, participant.id, now)
    if row is None:
        return staff_gettext("Cadence : accompagnement terminé.")
    late = sorted(
        {
            action.rule
            for action in due_actions(row.state, row.history, now, rules)
            if action.kind not in PARTICIPANT_KINDS
        }
    )
    if not late:
        return staff_gettext("Cadence : à jour.")
    labels = ", ".join(rule_label(code) for code in late)
    return staff_gettext("Cadence : {late}.").format(late=labels)


def person_lines(session: Session, person_id: int, now: datetime, rules: Rules) -> list[str]:
    """The conversation page's context: upcoming appointments, the last check-in answer and
    the cadence status."""
    locale = staff_locale()
    lines = []
    bookings = upcoming(session, person_id, now)
    motifs = repo_console_agenda.motif_labels(session)
    for b in bookings[:UPCOMING_SHOWN]:
        lines.append(
            staff_gettext("Rendez-vous : {when}, {motif}, {place}").format(
                when=format_when(b.starts_at, locale),
                motif=motifs.get(b.motif_id, b.motif_id),
                place=place_of(session, b.espace_id).name,
            )
        )
    if not bookings:
        lines.append(staff_gettext("Aucun rendez-vous à venir."))
    participant = participant_of(session, person_id)
    if participant is None:
        return lines
    counsellor = session.get(Staff, participant.counsellor_id or 0)
    status = status_label(participant.status)
    if counsellor:
        followed = staff_gettext("Programme RSA : {status}, suivi par {name}.")
        lines.append(followed.format(status=status, name=counsellor.name))
    else:
        lines.append(staff_gettext("Programme RSA : {status}.").format(status=status))
    answer = last_checkin(session, participant)
    if answer is not None:
        said = answer_label(answer.answer or "")
        if answer.text:
            said = staff_gettext("{answer} « {text} »").format(answer=said, text=answer.text[:200])
        when = to_paris(answer.occurred_at).strftime("%d/%m/%Y")
        last = staff_gettext("Dernière réponse au suivi ({date}) : {answer}")
        lines.append(last.format(date=when, answer=said.strip()))
    else:
        lines.append(staff_gettext("Pas encore de réponse au suivi de la semaine."))
    lines.append(cadence_line(session, participant, now, rules))
    return lines
