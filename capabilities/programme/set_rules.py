"""The constants of the cadence's bulk rules: the decisions of :func:`.cadence.due_actions`
for every participant at once, as SQL over the planner's table of aggregates
(:mod:`store.planning.set_rules`).

Four rules concern nearly everyone at the same moment — the weekly check-in, the week without
contact, the month's meetings not planned, last month's meetings missed. Their SQL compares
with the constants :func:`params` computes once per round from the rules: Paris midnights in
UTC, and bounds on start dates found by a short search over :func:`.periods.add_months` (it
never decreases when the start moves later), and the counsellor's sentences of the pure
rules. The dated rules compare with days computed here too, per distinct date of the round
(:func:`calendar`) and per Paris day (:func:`midnights`).
``tests/programme/test_set_rules.py`` checks them all against the pure function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from capabilities.programme import periods, reasons
from capabilities.programme.rules import Rules
from capabilities.programme.weeks import (
    fmt_day,
    meetings_missed_reason,
    meetings_not_planned_reason,
    no_contact_reason,
    week_of,
)
from store.planning.set_rules import (
    MISSED,
    NO_CONTACT,
    NOT_PLANNED,
    REMINDER,
    SQL_RULES,
    WEEKLY_CHECKIN,
    CountSentence,
    End,
    Params,
    Sentence,
)

__all__ = [
    "MISSED",
    "NOT_PLANNED",
    "NO_CONTACT",
    "REMINDER",
    "SQL_RULES",
    "WEEKLY_CHECKIN",
    "calendar",
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


# The plural forms of counts 0-10 are written out (Arabic: zero, one, two, few); beyond, the
# form of 11 (Arabic "many", 11-99; French and English plural). No month has 100 meetings.
_COUNTS = 11


def _count_sentence(write: Callable[[int, str], str]) -> CountSentence:
    """A sentence in every plural form, written around :data:`_MARK` (where the SQL puts
    the count; a form without it is said as is): ``write(count, marker)``."""

    def around(count: int) -> tuple[str, str | None]:
        text = write(count, _MARK)
        if _MARK not in text:  # a form that says the count in words ("لقاءان")
            return text, None
        before, after = text.split(_MARK, 1)
        return before, after

    return CountSentence(tuple(around(count) for count in range(_COUNTS)), around(_COUNTS))


def _sentence(text: str) -> Sentence:
    """A sentence written around :data:`_MARK` (where the SQL puts the day or the week)."""
    before, after = text.split(_MARK)
    return Sentence(before, after)


def _parts(text: str) -> tuple[str, str, str]:
    """A sentence written around two :data:`_MARK`."""
    before, between, after = text.split(_MARK)
    return before, between, after


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
    remind = timedelta(hours=weekly.reminder_after_hours)
    alert = timedelta(days=weekly.alert_after_days)
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
        not_planned_reason=_count_sentence(
            lambda n, mark: meetings_not_planned_reason(n, today, per_month, mark)
        ),
        last=last,
        last_label=periods.month_label(last),
        missed_due=(today - month).days < meetings.done_alert_days_into_next_month,
        ends_after_last_month=_ends_from(periods.month_last(last), rules),
        missed_reason=_count_sentence(
            lambda n, mark: meetings_missed_reason(n, last, per_month, mark)
        ),
        first_not_booked_by=today - timedelta(days=first.task_if_not_booked_after_days),
        first_deadline=today - timedelta(days=first.within_days),
        first_booked_before=periods.at_paris(today + timedelta(days=1)),
        cer_first_meeting_before=periods.at_paris(cer_day),
        cer_reason=_sentence(reasons.cer_missing(_MARK)),
        unanswered_sent_by=now - alert,
        unanswered_reason=_sentence(reasons.checkin_unanswered(_MARK, weekly.alert_after_days)),
        reminder_send_at=week.send_at,
        alert_hours=weekly.alert_after_days * 24,
        reminder_sent_by=now - remind if week.send_at is not None else None,
        reminder_sent_after=max(now, week.send_at) - alert if week.send_at is not None else None,
        diagnosis_due_by=today + timedelta(days=diagnosis.remind_days_before),
        diagnosis_overdue_by=today - timedelta(days=diagnosis.overdue_days),
        end_warning_by=today + timedelta(days=programme.end_warning_days),
        end_overdue_by=today - timedelta(days=diagnosis.overdue_days),
        duration_reason=_parts(
            reasons.duration_out_of_range(_MARK, _MARK, programme.min_months, programme.max_months)
        ),
        diagnosis_due_reason=_sentence(reasons.diagnosis_due(diagnosis.after_months, _MARK)),
        diagnosis_overdue_reason=_sentence(
            reasons.diagnosis_overdue(diagnosis.after_months, _MARK)
        ),
        end_approaching_reason=_sentence(reasons.programme_end_approaching(_MARK)),
        final_overdue_reason=_sentence(reasons.final_diagnosis_overdue(_MARK)),
    )


def calendar(days: Iterable[date], now: datetime, rules: Rules) -> list[dict[str, Any]]:
    """The rows of ``store.planning.dated_rules.DAYS`` for these orientation, start and end
    dates: the days the pure rules compute from each (``periods.add_months``), their labels
    and the first meeting's sentences (a count of days since ``now``'s day)."""
    diagnosis, programme = rules.diagnosis.after_months, rules.programme
    within, today = rules.first_meeting.within_days, periods.local_day(now)
    rows = []
    for day in days:
        due = periods.add_months(day, diagnosis)
        longest = periods.add_months(day, programme.max_months)
        since = (today - day).days
        rows.append(
            {
                "day": day,
                "label": fmt_day(day),
                "not_booked_reason": reasons.first_meeting_not_booked(since, day, within),
                "overdue_reason": reasons.first_meeting_overdue(since, day, within),
                "diagnosis_due": due,
                "diagnosis_due_label": fmt_day(due),
                "shortest": periods.add_months(day, programme.min_months),
                "longest": longest,
                "longest_label": fmt_day(longest),
            }
        )
    return rows


def midnights(since: datetime | None, now: datetime) -> list[dict[str, Any]]:
    """The rows of ``store.planning.dated_rules.MIDNIGHTS``: every Paris day from the one of
    ``since`` to the one of ``now``, its first instant (UTC), label and ISO week."""
    if since is None:
        return []
    day, today = periods.local_day(since), periods.local_day(now)
    rows = []
    while day <= today:
        rows.append(
            {"opens": periods.at_paris(day), "label": fmt_day(day), "week": periods.iso_week(day)}
        )
        day += timedelta(days=1)
    return rows
