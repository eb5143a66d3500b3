"""The week every participant shares during a planning round, and the counsellors' sentences
of the weekly rules — computed once, used by the pure cadence and by the SQL set rules alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from capabilities.programme import periods
from capabilities.programme.rules import Rules


@lru_cache(maxsize=4096)
def fmt_day(day: date) -> str:
    """A day as counsellors read it in a task (``24/11/2026``)."""
    return day.strftime("%d/%m/%Y")


@dataclass(frozen=True, slots=True)
class Week:
    """What every participant shares at ``now``: computed once per planning round (the SQL
    rules of :mod:`capabilities.programme.set_rules` use the same values)."""

    monday: date
    label: str
    opens: datetime
    closes: datetime
    slot: datetime | None
    send_at: datetime | None


_WEEKS: dict[tuple[datetime, int], tuple[Rules, Week]] = {}


def week_of(now: datetime, today: date, rules: Rules) -> Week:
    """The round's week (cached per moment and rules: every participant asks for it)."""
    key = (now, id(rules))
    cached = _WEEKS.get(key)
    if cached is not None and cached[0] is rules:
        return cached[1]
    monday = periods.week_start(today)
    week = Week(
        monday=monday,
        label=periods.iso_week(today),
        opens=periods.at_paris(monday),
        closes=periods.at_paris(monday + timedelta(days=7)),
        slot=periods.checkin_slot(today, rules),
        send_at=periods.next_window_moment(now, rules),
    )
    if len(_WEEKS) > 64:
        _WEEKS.clear()
    _WEEKS[key] = (rules, week)
    return week


def no_contact_reason(week: str) -> str:
    """The counsellor's sentence of ``no_contact_this_week``."""
    return f"Pas encore de contact cette semaine ({week}) : un contact par semaine est prévu."


def meetings_not_planned_reason(planned: int | str, today: date, per_month: int) -> str:
    """The counsellor's sentence of ``meetings_not_planned`` (``planned`` may be a marker the
    SQL rules replace with the count)."""
    return (
        f"{planned} rencontre(s) physique(s) prévue(s) ce mois-ci au {fmt_day(today)} : "
        f"au moins {per_month} par mois."
    )


def meetings_missed_reason(done: int | str, last_month: date, per_month: int) -> str:
    """The counsellor's sentence of ``meetings_missed``."""
    return (
        f"{done} rencontre(s) physique(s) tenue(s) en {periods.month_label(last_month)} : "
        f"au moins {per_month} par mois."
    )


def duration_reason(end: date | str, start: date | str, min_months: int, max_months: int) -> str:
    """The counsellor's sentence of ``duration_out_of_range`` (days, or markers the SQL rules
    replace)."""
    return (
        f"Fin prévue le {_day(end)} : l'accompagnement dure de {min_months} "
        f"à {max_months} mois (début le {_day(start)})."
    )


def diagnosis_due_reason(due: date | str, months: int) -> str:
    """The counsellor's sentence of ``diagnosis_3m_due``."""
    return f"Mise à jour du diagnostic à {months} mois prévue le {_day(due)}."


def diagnosis_overdue_reason(due: date | str, months: int) -> str:
    """The counsellor's sentence of ``diagnosis_3m_overdue``."""
    return f"Diagnostic à {months} mois en retard (prévu le {_day(due)})."


def end_approaching_reason(end: date | str) -> str:
    """The counsellor's sentence of ``programme_end_approaching``."""
    return (
        f"Fin de l'accompagnement le {_day(end)} : diagnostic final et suites "
        "préconisées à renseigner."
    )


def final_overdue_reason(end: date | str) -> str:
    """The counsellor's sentence of ``final_diagnosis_overdue``."""
    return f"Accompagnement terminé le {_day(end)} sans diagnostic final."


def _day(day: date | str) -> str:
    return day if isinstance(day, str) else fmt_day(day)
