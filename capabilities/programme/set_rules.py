"""The cadence's bulk rules in SQL: the decisions of
:func:`.cadence.due_actions`,
for every participant at once.

Four rules concern nearly everyone at the same moment — the weekly check-in, the week without
contact, the month's meetings not planned, last month's meetings missed. They are SQL
predicates over the planner's temporary table of aggregates (:data:`ROUND`, filled from
:func:`capabilities.programme.aggregates.aggregate_query`), and their rows are written by one
``INSERT … SELECT … ON CONFLICT DO NOTHING`` each, with the idempotency key built in SQL.

Every comparison with a calendar day becomes a comparison with a constant computed here once
per round: Paris midnights in UTC, and bounds on start dates found by a short search over
:func:`.periods.add_months` (it never decreases when the start moves later). The SQL
needs no time-zone or month arithmetic and is the same on SQLite and PostgreSQL.

The other rules (first meeting, CER, reminder, unanswered check-in, diagnosis, programme end,
duration) concern a few people at a time: :func:`candidates` holds for at least everyone for
whom one of them is due, and the planner runs the pure function on those rows alone.
``tests/scheduler/test_set_rules.py`` checks both against the pure function.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    cast,
    extract,
    literal,
    or_,
)

from capabilities.programme import periods
from capabilities.programme.cadence import (
    Kind,
    Week,
    meetings_missed_reason,
    meetings_not_planned_reason,
    no_contact_reason,
    week_of,
)
from capabilities.programme.rules import Rules
from store.base import UTCDateTime

WEEKLY_CHECKIN = "weekly_checkin"
NO_CONTACT = "no_contact_this_week"
NOT_PLANNED = "meetings_not_planned"
MISSED = "meetings_missed"
SQL_RULES = frozenset({WEEKLY_CHECKIN, NO_CONTACT, NOT_PLANNED, MISSED})
TASK_KINDS = {NO_CONTACT: Kind.TASK, NOT_PLANNED: Kind.TASK, MISSED: Kind.ALERT}

# The aggregates of one round (the columns of ``aggregate_query`` plus the programme start).
ROUND = Table(
    "planning_round",
    MetaData(),
    Column("id", Integer),
    Column("name", String),
    Column("person_id", Integer),
    Column("counsellor_id", Integer),
    Column("orientation_on", Date),
    Column("programme_start", Date),
    Column("programme_end", Date),
    Column("cer_signed_on", Date),
    Column("diagnosis_3m_on", Date),
    Column("diagnosis_final_on", Date),
    Column("status", String),
    Column("last_checkin_at", UTCDateTime),
    Column("locale", String),
    Column("reachable", Integer),
    Column("last_contact_at", UTCDateTime),
    Column("first_meeting_at", UTCDateTime),
    Column("next_meeting_at", UTCDateTime),
    Column("this_month", Integer),
    Column("last_month", Integer),
    Column("starts_on", Date),  # programme start, else orientation (``ParticipantState.start``)
    prefixes=["TEMPORARY"],
)
r = ROUND.c


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


@dataclass(frozen=True)
class Moment:
    """What the SQL rules compare with at ``now``."""

    now: datetime
    today: date
    rules: Rules
    week: Week
    month: date  # first day of this month
    last: date  # first day of last month

    @classmethod
    def at(cls, now: datetime, rules: Rules) -> Moment:
        today = periods.local_day(now)
        return cls(
            now,
            today,
            rules,
            week_of(now, today, rules),
            periods.month_first(today),
            periods.previous_month(today),
        )

    # --- shared pieces --------------------------------------------------------------------
    def ends_on_or_after(self, day: date) -> ColumnElement[bool]:
        """``ParticipantState.end(rules) >= day``."""
        months = self.rules.programme.max_months
        return or_(
            and_(r.programme_end.is_not(None), r.programme_end >= day),
            and_(r.programme_end.is_(None), r.starts_on >= first_start_ending_from(day, months)),
        )

    def ends_on_or_before(self, day: date) -> ColumnElement[bool]:
        """``ParticipantState.end(rules) <= day``."""
        months = self.rules.programme.max_months
        return or_(
            and_(r.programme_end.is_not(None), r.programme_end <= day),
            and_(r.programme_end.is_(None), r.starts_on <= last_start_ending_by(day, months)),
        )

    def weekly_gate(self) -> ColumnElement[bool]:
        """Weekly contact is organised: first meeting held, full week, programme not over."""
        return and_(
            r.first_meeting_at.is_not(None),
            r.starts_on < self.week.monday,
            self.ends_on_or_after(self.today),
        )

    def not_contacted(self) -> ColumnElement[bool]:
        return or_(r.last_contact_at.is_(None), r.last_contact_at < self.week.opens)

    # --- the four rules -------------------------------------------------------------------
    def weekly_checkin(self) -> ColumnElement[bool] | None:
        w, now = self.week, self.now
        due = w.slot is not None and now >= w.slot and w.send_at is not None
        if not (due and w.send_at is not None and w.send_at < w.closes):
            return None
        return and_(
            self.weekly_gate(),
            r.reachable == 1,
            self.not_contacted(),
            or_(r.last_checkin_at.is_(None), r.last_checkin_at < w.opens),
        )

    def no_contact(self) -> ColumnElement[bool] | None:
        if self.today.isoweekday() < self.rules.weekly_contact.counsellor_task_weekday:
            return None
        return and_(self.weekly_gate(), self.not_contacted())

    def not_planned(self) -> ColumnElement[bool] | None:
        meetings = self.rules.physical_meetings
        if self.today.day < meetings.planned_by_day:
            return None
        return and_(r.starts_on <= self.month, r.this_month < meetings.per_month)

    def missed(self) -> ColumnElement[bool] | None:
        meetings = self.rules.physical_meetings
        if (self.today - self.month).days >= meetings.done_alert_days_into_next_month:
            return None
        return and_(
            r.starts_on <= self.last,
            self.ends_on_or_after(periods.month_last(self.last)),
            r.last_month < meetings.per_month,
        )

    def predicates(self) -> dict[str, ColumnElement[bool]]:
        """The predicate of each SQL rule that can be due at ``now``."""
        found = {
            WEEKLY_CHECKIN: self.weekly_checkin(),
            NO_CONTACT: self.no_contact(),
            NOT_PLANNED: self.not_planned(),
            MISSED: self.missed(),
        }
        return {rule: predicate for rule, predicate in found.items() if predicate is not None}

    # --- what the rows say ----------------------------------------------------------------
    def period(self, rule: str) -> str:
        if rule in (WEEKLY_CHECKIN, NO_CONTACT):
            return self.week.label
        return periods.month_label(self.month if rule == NOT_PLANNED else self.last)

    def key(self, rule: str) -> Any:
        """``rule:participant:period``, as :func:`.cadence.due_actions` writes it."""
        return literal(f"{rule}:") + cast(r.id, String) + literal(f":{self.period(rule)}")

    def reason(self, rule: str) -> Any:
        """The counsellor's sentence, from the same functions as the pure rules."""
        per_month = self.rules.physical_meetings.per_month
        if rule == NO_CONTACT:
            return literal(no_contact_reason(self.week.label))
        if rule == NOT_PLANNED:
            return _around(meetings_not_planned_reason, r.this_month, self.today, per_month)
        return _around(meetings_missed_reason, r.last_month, self.last, per_month)

    # --- the other rules: who must go through the pure function ---------------------------
    def candidates(self) -> ColumnElement[bool]:
        """True for at least every participant with a due action outside :data:`SQL_RULES`."""
        rules, today, now = self.rules, self.today, self.now
        first, weekly = rules.first_meeting, rules.weekly_contact
        diagnosis, programme = rules.diagnosis, rules.programme
        cer_day = today - timedelta(days=rules.cer.grace_days_after_first_meeting - 1)
        waited = timedelta(hours=min(weekly.reminder_after_hours, weekly.alert_after_days * 24))
        return or_(
            # first_meeting_not_booked, first_meeting_overdue
            and_(
                r.first_meeting_at.is_(None),
                r.orientation_on
                <= today
                - timedelta(days=min(first.task_if_not_booked_after_days, first.within_days)),
            ),
            # cer_missing
            and_(
                r.first_meeting_at.is_not(None),
                r.cer_signed_on.is_(None),
                r.first_meeting_at < periods.at_paris(cer_day),
            ),
            # checkin_reminder, checkin_unanswered
            and_(
                self.weekly_gate(),
                r.last_checkin_at.is_not(None),
                or_(r.last_contact_at.is_(None), r.last_contact_at < r.last_checkin_at),
                r.last_checkin_at <= now - waited,
            ),
            # duration_out_of_range
            and_(
                r.programme_end.is_not(None),
                _out_of_range(programme.min_months, programme.max_months),
            ),
            # diagnosis_3m_due, diagnosis_3m_overdue
            and_(
                r.diagnosis_3m_on.is_(None),
                r.starts_on
                <= last_start_ending_by(
                    today + timedelta(days=diagnosis.remind_days_before), diagnosis.after_months
                ),
            ),
            # programme_end_approaching, final_diagnosis_overdue
            and_(
                r.diagnosis_final_on.is_(None),
                self.ends_on_or_before(today + timedelta(days=programme.end_warning_days)),
            ),
        )


_MARK = "\x00"


def _around(sentence: Any, count: Any, *args: Any) -> Any:
    """``sentence(count, *args)`` in SQL: the text around a marker, the count cast between."""
    before, after = sentence(_MARK, *args).split(_MARK)
    return literal(before) + cast(count, String) + literal(after)


def _months(day: Any) -> Any:
    return extract("year", day) * 12 + extract("month", day)


def _out_of_range(min_months: int, max_months: int) -> ColumnElement[bool]:
    """``programme_end`` before ``add_months(start, min)`` or after ``add_months(start, max)``
    (compared as year·12 + month, then day: the first test may also hold on the last day of a
    shorter month, which the pure function then rules out)."""
    end, start = _months(r.programme_end), _months(r.starts_on)
    end_day, start_day = extract("day", r.programme_end), extract("day", r.starts_on)
    return or_(
        end < start + min_months,
        and_(end == start + min_months, end_day < start_day),
        end > start + max_months,
        and_(end == start + max_months, end_day > start_day),
    )


def json_value(text: str, dialect: str) -> Any:
    """A JSON document as an SQL value (PostgreSQL wants the cast, SQLite stores the text)."""
    return cast(literal(text), JSON) if dialect == "postgresql" else literal(text)
