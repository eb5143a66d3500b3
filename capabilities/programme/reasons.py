"""The counsellors' sentences of the cadence's tasks and alerts, in ``STAFF_LANGUAGE``.

Staff read them in the console (``counsellor_tasks.reason``), never the participant's
language; every number goes through ``staff_ngettext``. The three sentences the SQL rules
also write are in :mod:`.weeks` (the same function for the pure and the SQL rules).
"""

from __future__ import annotations

from datetime import date

from capabilities.programme.weeks import fmt_day
from core.i18n import staff_gettext, staff_ngettext


def _day(day: date | str) -> str:
    """A day as staff read it, or the marker the SQL rules replace with a day's label."""
    return day if isinstance(day, str) else fmt_day(day)


def cer_missing(met: date | str) -> str:
    return staff_gettext(
        "CER non enregistré après le premier rendez-vous du {day} (à contractualiser au 1er RDV)."
    ).format(day=_day(met))


def first_meeting_not_booked(days: int, orientation: date, within: int) -> str:
    return staff_ngettext(
        "Premier rendez-vous pas encore fixé, {days} jour après l'orientation du {day} "
        "(à tenir sous {within} jours).",
        "Premier rendez-vous pas encore fixé, {days} jours après l'orientation du {day} "
        "(à tenir sous {within} jours).",
        days,
    ).format(days=days, day=fmt_day(orientation), within=within)


def first_meeting_overdue(days: int, orientation: date, within: int) -> str:
    return staff_ngettext(
        "Premier rendez-vous non tenu {days} jour après l'orientation du {day} "
        "(délai : {within} jours).",
        "Premier rendez-vous non tenu {days} jours après l'orientation du {day} "
        "(délai : {within} jours).",
        days,
    ).format(days=days, day=fmt_day(orientation), within=within)


def weekly_checkin(week: str) -> str:
    return staff_gettext("Message de suivi de la semaine {week}.").format(week=week)


def checkin_reminder(week: str) -> str:
    return staff_gettext(
        "Rappel : pas de réponse au message de suivi de la semaine {week}."
    ).format(week=week)


def checkin_unanswered(sent: date | str, days: int) -> str:
    return staff_ngettext(
        "Aucune réponse ni contact depuis le message de suivi du {day} ({n} jour).",
        "Aucune réponse ni contact depuis le message de suivi du {day} ({n} jours).",
        days,
    ).format(day=_day(sent), n=days)


def duration_out_of_range(end: date | str, start: date | str, shortest: int, longest: int) -> str:
    return staff_ngettext(
        "Fin prévue le {end} : l'accompagnement dure de {min} à {max} mois (début le {start}).",
        "Fin prévue le {end} : l'accompagnement dure de {min} à {max} mois (début le {start}).",
        longest,
    ).format(end=_day(end), min=shortest, max=longest, start=_day(start))


def diagnosis_due(months: int, due: date | str) -> str:
    return staff_ngettext(
        "Mise à jour du diagnostic à {n} mois prévue le {day}.",
        "Mise à jour du diagnostic à {n} mois prévue le {day}.",
        months,
    ).format(n=months, day=_day(due))


def diagnosis_overdue(months: int, due: date | str) -> str:
    return staff_ngettext(
        "Diagnostic à {n} mois en retard (prévu le {day}).",
        "Diagnostic à {n} mois en retard (prévu le {day}).",
        months,
    ).format(n=months, day=_day(due))


def programme_end_approaching(end: date | str) -> str:
    return staff_gettext(
        "Fin de l'accompagnement le {day} : diagnostic final et suites préconisées à renseigner."
    ).format(day=_day(end))


def final_diagnosis_overdue(end: date | str) -> str:
    return staff_gettext("Accompagnement terminé le {day} sans diagnostic final.").format(
        day=_day(end)
    )


def caseload_above_limit(active: int, limit: int) -> str:
    return staff_ngettext(
        "{n} participant suivi pour {limit} prévus par conseiller.",
        "{n} participants suivis pour {limit} prévus par conseiller.",
        active,
    ).format(n=active, limit=limit)
