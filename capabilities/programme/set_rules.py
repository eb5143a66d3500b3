"""The constants of the cadence's bulk rules: the decisions of :func:`.cadence.due_actions`
for every participant at once, as SQL over the planner's table of aggregates
(:mod:`store.planning.set_rules`).

Four rules concern nearly everyone at the same moment — the weekly check-in, the week without
contact, the month's meetings not planned, last month's meetings missed. Their SQL compares
with the constants :func:`params` computes once per round from the rules: Paris midnights in
UTC, and bounds on start dates found by a short search over :func:`.periods.add_months` (it
never decreases when the start moves later), and the counsellor's sentences of the pure
rules. The other rules concern a few people at a time: the planner runs the pure function
on their candidates alone. ``tests/programme/test_set_rules.py`` checks both against the
pure function.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from capabilities.programme import periods
from capabilities.programme.rules import Rules
from capabilities.programme.weeks import (
    meetings_missed_reason,
    meetings_not_planned_reason,
    no_contact_reason,
    week_of,
)
from store.planning.set_rules import (
    MISSED,
    NO_CONTACT,
    NOT_PLANNED,
    SQL_RULES,
    WEEKLY_CHECKIN,
    End,
    Params,
    Sentence,
)

__all__ = [
    "MISSED",
    "NOT_PLANNED",
    "NO_CONTACT",
    "SQL_RULES",
    "WEEKLY_CHECKIN",
    "first_start_ending_from",
    "last_start_ending_by",
    "params",
]

_MARK = "\x00"


def last_start_ending_by(day: date, months: int) -> date:
    """The latest start ``s`` with ``add_months(s, months) <= day``."""
    start = day - timedelta(days=31 * months)  # add_months(s, m) <= s + 31 m
    while periods.add_months(start + timedelta(days=1), months) <= day:
        start += timedelta(days=1)
    return start


def first_start_ending_from(day: date, months: int) -> date:
    """The earliest start ``s`` with ``add_months(s, months) >= day``."""
    start = day - timedelta(days=31 * months + 1)
    while periods.add_months(start, months) < day:
        start += timedelta(days=1)
    return start


def _ends_from(day: date, rules: Rules) -> End:
    """``ParticipantState.end(rules) >= day``: the earliest default start that ends then."""
    return End(day, first_start_ending_from(day, rules.programme.max_months))


def _ends_by(day: date, rules: Rules) -> End:
    """``ParticipantState.end(rules) <= day``: the latest default start that ends then."""
    return End(day, last_start_ending_by(day, rules.programme.max_months))


# The plural forms of counts 0-10 are written out (Arabic: zero, one, two, few); beyond, the
# form of 11 (Arabic "many", 11-99; French and English plural). No month has 100 meetings.
_COUNTS = 11


def _sentence(write: Callable[[int, str], str]) -> Sentence:
    """A sentence in every plural form, written around :data:`_MARK` (where the SQL puts
    the count; a form without it is said as is): ``write(count, marker)``."""

    def around(count: int) -> tuple[str, str | None]:
        text = write(count, _MARK)
        if _MARK not in text:  # a form that says the count in words ("لقاءان")
            return text, None
        before, after = text.split(_MARK, 1)
        return before, after

    return Sentence(tuple(around(count) for count in range(_COUNTS)), around(_COUNTS))


def params(now: datetime, rules: Rules) -> Params:
    """Everything the SQL rules compare with at ``now``."""
    today = periods.local_day(now)
    week = week_of(now, today, rules)
    month, last = periods.month_first(today), periods.previous_month(today)
    meetings, weekly = rules.physical_meetings, rules.weekly_contact
    first, diagnosis, programme = rules.first_meeting, rules.diagnosis, rules.programme
    due = week.slot is not None and now >= week.slot and week.send_at is not None
    checkin = due and week.send_at is not None and week.send_at < week.closes
    cer_day = today - timedelta(days=rules.cer.grace_days_after_first_meeting - 1)
    waited = timedelta(hours=min(weekly.reminder_after_hours, weekly.alert_after_days * 24))
    per_month = meetings.per_month
    return Params(
        now=now,
        week_label=week.label,
        week_monday=week.monday,
        week_opens=week.opens,
        week_closes=week.closes,
        checkin_send_at=week.send_at if checkin else None,
        ends_after_today=_ends_from(today, rules),
        no_contact_due=today.isoweekday() >= weekly.counsellor_task_weekday,
        no_contact_reason=no_contact_reason(week.label),
        per_month=per_month,
        month=month,
        month_label=periods.month_label(month),
        not_planned_due=today.day >= meetings.planned_by_day,
        not_planned_reason=_sentence(
            lambda n, mark: meetings_not_planned_reason(n, today, per_month, mark)
        ),
        last=last,
        last_label=periods.month_label(last),
        missed_due=(today - month).days < meetings.done_alert_days_into_next_month,
        ends_after_last_month=_ends_from(periods.month_last(last), rules),
        missed_reason=_sentence(lambda n, mark: meetings_missed_reason(n, last, per_month, mark)),
        first_meeting_orientation_by=today
        - timedelta(days=min(first.task_if_not_booked_after_days, first.within_days)),
        cer_first_meeting_before=periods.at_paris(cer_day),
        checkin_sent_by=now - waited,
        min_months=programme.min_months,
        max_months=programme.max_months,
        diagnosis_starts_by=last_start_ending_by(
            today + timedelta(days=diagnosis.remind_days_before), diagnosis.after_months
        ),
        ends_by_warning=_ends_by(today + timedelta(days=programme.end_warning_days), rules),
    )
