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

from datetime import date, datetime
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
    func,
    literal,
    or_,
    select,
    union,
)
from sqlalchemy.orm import Session

from store.base import UTCDateTime
from store.planning.aggregates import utc
from store.planning.set_rules import (
    CER_MISSING,
    DIAGNOSIS_DUE,
    DIAGNOSIS_OVERDUE,
    DURATION,
    END_APPROACHING,
    FINAL_OVERDUE,
    FIRST_NOT_BOOKED,
    FIRST_OVERDUE,
    ROUND,
    UNANSWERED,
    Params,
    around,
    key,
    reminder_due,
    unanswered,
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
# Every Paris day since the oldest first meeting or check-in a rule reads: the Paris day of
# an instant is the row with the latest ``opens`` not after it (one index probe).
MIDNIGHTS = Table(
    "planning_midnights",
    MetaData(),
    Column("opens", UTCDateTime, primary_key=True),  # the day's first instant
    Column("label", String),  # fmt_day(day)
    Column("week", String),  # iso_week(day)
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


def oldest_instant(session: Session, p: Params) -> datetime | None:
    """The oldest first meeting or check-in whose Paris day a rule writes (``MIDNIGHTS``):
    ``cer_missing``, ``checkin_unanswered`` and ``checkin_reminder``."""
    found = predicates(p)
    first, sent = session.execute(
        select(
            func.min(case((found[CER_MISSING], r.first_meeting_at))),
            func.min(case((or_(found[UNANSWERED], reminder_due(p)), r.last_checkin_at))),
        )
    ).one()
    moments = [utc(value) for value in (first, sent) if value is not None]
    return min((m for m in moments if m is not None), default=None)


def fill_days(
    session: Session, days: list[dict[str, Any]], midnights: list[dict[str, Any]]
) -> None:
    """Fresh :data:`DAYS` and :data:`MIDNIGHTS` with these rows (from
    ``capabilities.programme.set_rules.calendar`` and ``.midnights``)."""
    for table, rows in ((DAYS, days), (MIDNIGHTS, midnights)):
        table.drop(session.connection(), checkfirst=True)
        table.create(session.connection())
        if rows:
            session.execute(table.insert(), rows)


def drop_days(session: Session) -> None:
    """Drop :data:`DAYS` and :data:`MIDNIGHTS`."""
    for table in (DAYS, MIDNIGHTS):
        table.drop(session.connection(), checkfirst=True)


def day_of(moment: Any, column: str) -> Any:
    """``column`` of :data:`MIDNIGHTS` for the Paris day of ``moment``."""
    m = MIDNIGHTS.c
    return (
        select(m[column]).where(m.opens <= moment).order_by(m.opens.desc()).limit(1)
    ).scalar_subquery()


def predicates(p: Params) -> dict[str, ColumnElement[bool]]:
    """The predicate of each dated rule, over :data:`SOURCE`."""
    diagnosis = and_(r.diagnosis_3m_on.is_(None), s.diagnosis_due <= _end_day)
    final = r.diagnosis_final_on.is_(None)
    unmet, unbooked = r.first_meeting_at.is_(None), r.next_meeting_at.is_(None)
    return {
        CER_MISSING: and_(
            r.first_meeting_at.is_not(None),
            r.cer_signed_on.is_(None),
            r.first_meeting_at < p.cer_first_meeting_before,
        ),
        UNANSWERED: and_(unanswered(p), r.last_checkin_at <= p.unanswered_sent_by),
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


def dated_key(p: Params, rule: str) -> Any:
    """The idempotency key of a dated rule's rows (the check-in's week for the unanswered)."""
    if rule == UNANSWERED:
        return key(p, rule) + literal(":") + day_of(r.last_checkin_at, "week")
    return key(p, rule)


def reason(p: Params, rule: str) -> Any:
    """The counsellor's sentence of a dated rule, around the days' labels."""
    if rule == CER_MISSING:
        return around(p.cer_reason, day_of(r.first_meeting_at, "label"))
    if rule == UNANSWERED:
        return around(p.unanswered_reason, day_of(r.last_checkin_at, "label"))
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
