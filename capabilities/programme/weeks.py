"""The week every participant shares during a planning round, and the counsellors' sentences
of the weekly rules — computed once, used by the pure cadence and by the SQL set rules alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from capabilities.programme import periods
from capabilities.programme.rules import Rules
from core.i18n import staff_gettext, staff_ngettext


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
    """The counsellor's sentence of ``no_contact_this_week`` (``STAFF_LANGUAGE``)."""
    return staff_gettext(
        "Pas encore de contact cette semaine ({week}) : un contact par semaine est prévu."
    ).format(week=week)


def meetings_not_planned_reason(
    planned: int, today: date, per_month: int, shown: str | None = None
) -> str:
    """The counsellor's sentence of ``meetings_not_planned``: ``planned`` chooses the plural
    form; ``shown`` (a marker the SQL rules replace with the count) stands for the number."""
    return staff_ngettext(
        "{n} rencontre physique prévue ce mois-ci au {day} : au moins {per_month} par mois.",
        "{n} rencontres physiques prévues ce mois-ci au {day} : au moins {per_month} par mois.",
        planned,
    ).format(n=planned if shown is None else shown, day=fmt_day(today), per_month=per_month)


def meetings_missed_reason(
    done: int, last_month: date, per_month: int, shown: str | None = None
) -> str:
    """The counsellor's sentence of ``meetings_missed`` (``shown`` as above)."""
    return staff_ngettext(
        "{n} rencontre physique tenue en {month} : au moins {per_month} par mois.",
        "{n} rencontres physiques tenues en {month} : au moins {per_month} par mois.",
        done,
    ).format(
        n=done if shown is None else shown,
        month=periods.month_label(last_month),
        per_month=per_month,
    )
