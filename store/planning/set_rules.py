"""The cadence's bulk rules in SQL, over the planner's temporary table of aggregates.

Four rules concern nearly everyone at the same moment — the weekly check-in, the week without
contact, the month's meetings not planned, last month's meetings missed. They are SQL
predicates over :data:`ROUND` (filled from :func:`.aggregates.aggregate_query`), and their
rows are written by one ``INSERT … SELECT … ON CONFLICT DO NOTHING`` each, with the
idempotency key built in SQL (:mod:`.round`).

Every comparison with a calendar day is a comparison with a constant of :class:`Params`,
computed once per round by ``capabilities.programme.set_rules.params`` (Paris midnights in
UTC, bounds on start dates, the counsellor's sentences): the SQL needs no time-zone or month
arithmetic and is the same on SQLite and PostgreSQL. :func:`reminder_due` selects exactly those
due a check-in reminder (:mod:`.reminders`); the dated rules are in :mod:`.dated_rules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
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
    case,
    cast,
    false,
    literal,
    or_,
)

from store.base import UTCDateTime

WEEKLY_CHECKIN = "weekly_checkin"
NO_CONTACT = "no_contact_this_week"
NOT_PLANNED = "meetings_not_planned"
MISSED = "meetings_missed"
# The dated rules (:mod:`.dated_rules`): the first meeting and its CER, the unanswered
# check-in, the diagnoses, the programme's end and its length.
REMINDER = "checkin_reminder"
CER_MISSING = "cer_missing"
UNANSWERED = "checkin_unanswered"
FIRST_NOT_BOOKED = "first_meeting_not_booked"
FIRST_OVERDUE = "first_meeting_overdue"
DURATION = "duration_out_of_range"
DIAGNOSIS_DUE = "diagnosis_3m_due"
DIAGNOSIS_OVERDUE = "diagnosis_3m_overdue"
END_APPROACHING = "programme_end_approaching"
FINAL_OVERDUE = "final_diagnosis_overdue"
DATED_KINDS = {
    CER_MISSING: "task",
    UNANSWERED: "alert",
    FIRST_NOT_BOOKED: "task",
    FIRST_OVERDUE: "alert",
    DURATION: "task",
    DIAGNOSIS_DUE: "task",
    DIAGNOSIS_OVERDUE: "alert",
    END_APPROACHING: "task",
    FINAL_OVERDUE: "alert",
}
# The counsellor-task rules and the kind of row they write.
TASK_KINDS = {NO_CONTACT: "task", NOT_PLANNED: "task", MISSED: "alert", **DATED_KINDS}
SQL_RULES = frozenset({WEEKLY_CHECKIN, REMINDER, *TASK_KINDS})

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


@dataclass(frozen=True)
class End:
    """``ParticipantState.end(rules)`` against ``day``: a set end date is compared with it,
    else the start date with ``start``, the bound on starts whose default end meets ``day``."""

    day: date
    start: date


@dataclass(frozen=True)
class Sentence:
    """A counsellor's sentence around one value (a day, a week): ``before + value + after``."""

    before: str
    after: str


@dataclass(frozen=True)
class CountSentence:
    """A counsellor's sentence around a count, ``before + str(count) + after``, in the plural
    form the count needs: ``forms[count]`` for the first counts, ``other`` beyond. A form
    whose ``after`` is None says the count in words: ``before`` alone."""

    forms: tuple[tuple[str, str | None], ...]
    other: tuple[str, str | None]


@dataclass(frozen=True)
class Params:
    """What the SQL rules compare with at ``now`` (computed from the cadence's rules)."""

    now: datetime
    week_label: str
    week_monday: date
    week_opens: datetime
    week_closes: datetime
    checkin_send_at: datetime | None  # None: the week's check-in is not due now
    ends_after_today: End  # the programme is not over today
    no_contact_due: bool
    no_contact_reason: str
    per_month: int
    month: date  # first day of this month
    month_label: str
    not_planned_due: bool
    not_planned_reason: CountSentence
    last: date  # first day of last month
    last_label: str
    missed_due: bool
    ends_after_last_month: End  # the programme ran until the end of last month
    missed_reason: CountSentence
    # The first meeting's CER, the check-in reminder and alert (:mod:`.dated_rules`).
    cer_first_meeting_before: datetime  # CER missing
    cer_reason: Sentence  # around the first meeting's day
    unanswered_sent_by: datetime  # the check-in unanswered since then: an alert
    unanswered_reason: Sentence  # around the check-in's day
    reminder_send_at: datetime | None  # check-in reminders: sent then (None: not now)…
    reminder_sent_by: datetime | None  # …for the check-ins sent by then…
    reminder_sent_after: datetime | None  # …and after then
    alert_hours: int  # the reminder expires when the alert is due
    # The dated rules (:mod:`.dated_rules`): days compared with those of ``planning_days``.
    first_not_booked_by: date  # oriented by then, no first meeting booked: a task
    first_deadline: date  # oriented before: first meeting overdue; on that day, unless…
    first_booked_before: datetime  # …booked before then (the end of today)
    diagnosis_due_by: date  # the 3-month diagnosis falls due by then: a task
    diagnosis_overdue_by: date  # by then: an alert
    end_warning_by: date  # the programme ends by then: a task
    end_overdue_by: date  # by then: an alert
    duration_reason: tuple[str, str, str]  # around the end and the start
    diagnosis_due_reason: Sentence  # around the day (the same for the three below)
    diagnosis_overdue_reason: Sentence
    end_approaching_reason: Sentence
    final_overdue_reason: Sentence


def ends_on_or_after(end: End) -> ColumnElement[bool]:
    """``ParticipantState.end(rules) >= end.day``."""
    return or_(
        and_(r.programme_end.is_not(None), r.programme_end >= end.day),
        and_(r.programme_end.is_(None), r.starts_on >= end.start),
    )


def ends_on_or_before(end: End) -> ColumnElement[bool]:
    """``ParticipantState.end(rules) <= end.day``."""
    return or_(
        and_(r.programme_end.is_not(None), r.programme_end <= end.day),
        and_(r.programme_end.is_(None), r.starts_on <= end.start),
    )


def weekly_gate(p: Params) -> ColumnElement[bool]:
    """Weekly contact is organised: first meeting held, full week, programme not over."""
    return and_(
        r.first_meeting_at.is_not(None),
        r.starts_on < p.week_monday,
        ends_on_or_after(p.ends_after_today),
    )


def not_contacted(p: Params) -> ColumnElement[bool]:
    """No contact since the week opened."""
    return or_(r.last_contact_at.is_(None), r.last_contact_at < p.week_opens)


def predicates(p: Params) -> dict[str, ColumnElement[bool]]:
    """The predicate of each SQL rule that can be due at ``now``."""
    found: dict[str, ColumnElement[bool]] = {}
    if p.checkin_send_at is not None:
        found[WEEKLY_CHECKIN] = and_(
            weekly_gate(p),
            r.reachable == 1,
            not_contacted(p),
            or_(r.last_checkin_at.is_(None), r.last_checkin_at < p.week_opens),
        )
    if p.no_contact_due:
        found[NO_CONTACT] = and_(weekly_gate(p), not_contacted(p))
    if p.not_planned_due:
        found[NOT_PLANNED] = and_(r.starts_on <= p.month, r.this_month < p.per_month)
    if p.missed_due:
        found[MISSED] = and_(
            r.starts_on <= p.last,
            ends_on_or_after(p.ends_after_last_month),
            r.last_month < p.per_month,
        )
    return found


def period(p: Params, rule: str) -> str:
    """The period of a SQL rule's rows: the ISO week, this month or last month."""
    if rule in (WEEKLY_CHECKIN, NO_CONTACT):
        return p.week_label
    return p.month_label if rule == NOT_PLANNED else p.last_label


def key(p: Params, rule: str) -> Any:
    """``rule:participant:period`` (``rule:participant`` for the dated rules), as
    ``capabilities.programme.cadence.due_actions`` writes it."""
    if rule in DATED_KINDS or rule == REMINDER:
        return literal(f"{rule}:") + cast(r.id, String)
    return literal(f"{rule}:") + cast(r.id, String) + literal(f":{period(p, rule)}")


def reason(p: Params, rule: str) -> Any:
    """The counsellor's sentence, from the same functions as the pure rules."""
    if rule == NO_CONTACT:
        return literal(p.no_contact_reason)
    if rule == NOT_PLANNED:
        return around_count(p.not_planned_reason, r.this_month)
    return around_count(p.missed_reason, r.last_month)


def unanswered(p: Params) -> ColumnElement[bool]:
    """The last check-in was sent and nothing came since."""
    return and_(
        weekly_gate(p),
        r.last_checkin_at.is_not(None),
        or_(r.last_contact_at.is_(None), r.last_contact_at < r.last_checkin_at),
    )


def reminder_due(p: Params) -> ColumnElement[bool]:
    """Exactly those with a ``checkin_reminder`` due (:mod:`.reminders`)."""
    if p.reminder_sent_by is None or p.reminder_sent_after is None:
        return false()
    return and_(
        unanswered(p),
        r.reachable == 1,
        r.last_checkin_at <= p.reminder_sent_by,
        r.last_checkin_at > p.reminder_sent_after,
    )


def around(sentence: Sentence, count: Any) -> Any:
    """The sentence in SQL: the text around the value (a day's label), cast between."""
    return literal(sentence.before) + cast(count, String) + literal(sentence.after)


def around_count(sentence: CountSentence, count: Any) -> Any:
    """The sentence in SQL: the text around the count, the count cast between, in the form
    of the count (one ``CASE`` branch per distinct form: two in French)."""

    def text(part: tuple[str, str | None]) -> Any:
        before, after = part
        if after is None:
            return literal(before)
        return literal(before) + cast(count, String) + literal(after)

    counts: dict[tuple[str, str | None], list[int]] = {}
    for number, part in enumerate(sentence.forms):
        if part != sentence.other:
            counts.setdefault(part, []).append(number)
    if not counts:
        return text(sentence.other)
    branches = [(count.in_(numbers), text(part)) for part, numbers in counts.items()]
    return case(*branches, else_=text(sentence.other))


def json_value(text: str, dialect: str) -> Any:
    """A JSON document as an SQL value (PostgreSQL wants the cast, SQLite stores the text)."""
    return cast(literal(text), JSON) if dialect == "postgresql" else literal(text)
