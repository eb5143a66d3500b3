"""The cadence's dated rules in SQL: the first meeting (not booked, overdue), the 3-month
diagnosis (due, overdue), the programme's end (approaching, final diagnosis overdue) and its
length (out of range).

They compare days that ``periods.add_months`` computes from each participant's start date —
its clamping to the month's end included — and write those days in the counsellor's
sentence. Orientation, start and end dates are few (days, not people): the planner reads
the distinct ones of the round (:func:`distinct_days`), computes each one's dates, labels and
first-meeting sentences in Python with the very functions of the pure rules
(``capabilities.programme.set_rules.calendar``) and puts them in a small temporary table,
:data:`DAYS`, joined to the round by day (:data:`SOURCE`). The SQL then only compares days
and concatenates labels, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Date,
    MetaData,
    String,
    Table,
    and_,
    case,
    literal,
    or_,
    select,
    union,
)
from sqlalchemy.orm import Session

from store.planning.set_rules import (
    DIAGNOSIS_DUE,
    DIAGNOSIS_OVERDUE,
    DURATION,
    END_APPROACHING,
    FINAL_OVERDUE,
    FIRST_NOT_BOOKED,
    FIRST_OVERDUE,
    ROUND,
    Params,
    around,
)

# One row per start or end date of the round.
DAYS = Table(
    "planning_days",
    MetaData(),
    Column("day", Date, primary_key=True),
    Column("label", String),  # fmt_day(day)
    Column("not_booked_reason", String),  # oriented that day, first meeting not booked
    Column("overdue_reason", String),  # …or overdue
    Column("diagnosis_due", Date),  # add_months(day, diagnosis.after_months)
    Column("diagnosis_due_label", String),
    Column("shortest", Date),  # add_months(day, programme.min_months)
    Column("longest", Date),  # add_months(day, programme.max_months): the default end
    Column("longest_label", String),
    prefixes=["TEMPORARY"],
)
r = ROUND.c
_start, _end, _oriented = DAYS.alias("start_day"), DAYS.alias("end_day"), DAYS.alias("oriented")
s, e, o = _start.c, _end.c, _oriented.c
# The round with the days of each participant's orientation, start and end (if set).
SOURCE = (
    ROUND.outerjoin(_start, s.day == r.starts_on)
    .outerjoin(_end, e.day == r.programme_end)
    .outerjoin(_oriented, o.day == r.orientation_on)
)

_end_day = case((r.programme_end.is_(None), s.longest), else_=r.programme_end)
_end_label = case((r.programme_end.is_(None), s.longest_label), else_=e.label)


def distinct_days(session: Session) -> list[date]:
    """Every orientation, start and end date of the round."""
    query = union(
        select(r.orientation_on.label("day")).where(r.orientation_on.is_not(None)),
        select(r.starts_on.label("day")).where(r.starts_on.is_not(None)),
        select(r.programme_end.label("day")).where(r.programme_end.is_not(None)),
    )
    return [value for (value,) in session.execute(query)]


def fill_days(session: Session, rows: list[dict[str, Any]]) -> None:
    """A fresh :data:`DAYS` with these rows (``capabilities.programme.set_rules.calendar``)."""
    DAYS.drop(session.connection(), checkfirst=True)
    DAYS.create(session.connection())
    if rows:
        session.execute(DAYS.insert(), rows)


def drop_days(session: Session) -> None:
    """Drop :data:`DAYS`."""
    DAYS.drop(session.connection(), checkfirst=True)


def predicates(p: Params) -> dict[str, ColumnElement[bool]]:
    """The predicate of each dated rule, over :data:`SOURCE`."""
    diagnosis = and_(r.diagnosis_3m_on.is_(None), s.diagnosis_due <= _end_day)
    final = r.diagnosis_final_on.is_(None)
    unmet, unbooked = r.first_meeting_at.is_(None), r.next_meeting_at.is_(None)
    return {
        FIRST_NOT_BOOKED: and_(unmet, unbooked, r.orientation_on <= p.first_not_booked_by),
        FIRST_OVERDUE: and_(
            unmet,
            or_(
                r.orientation_on < p.first_deadline,
                and_(
                    r.orientation_on == p.first_deadline,
                    or_(unbooked, r.next_meeting_at >= p.first_booked_before),
                ),
            ),
        ),
        DURATION: and_(
            r.programme_end.is_not(None),
            or_(r.programme_end < s.shortest, r.programme_end > s.longest),
        ),
        DIAGNOSIS_DUE: and_(diagnosis, s.diagnosis_due <= p.diagnosis_due_by),
        DIAGNOSIS_OVERDUE: and_(diagnosis, s.diagnosis_due <= p.diagnosis_overdue_by),
        END_APPROACHING: and_(final, _end_day <= p.end_warning_by),
        FINAL_OVERDUE: and_(final, _end_day <= p.end_overdue_by),
    }


def reason(p: Params, rule: str) -> Any:
    """The counsellor's sentence of a dated rule, around the days' labels."""
    if rule == FIRST_NOT_BOOKED:
        return o.not_booked_reason
    if rule == FIRST_OVERDUE:
        return o.overdue_reason
    if rule == DURATION:
        before, between, after = p.duration_reason
        return literal(before) + _end_label + literal(between) + s.label + literal(after)
    if rule == DIAGNOSIS_DUE:
        return around(p.diagnosis_due_reason, s.diagnosis_due_label)
    if rule == DIAGNOSIS_OVERDUE:
        return around(p.diagnosis_overdue_reason, s.diagnosis_due_label)
    if rule == END_APPROACHING:
        return around(p.end_approaching_reason, _end_label)
    return around(p.final_overdue_reason, _end_label)
