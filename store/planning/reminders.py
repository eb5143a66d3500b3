"""The check-in reminder in SQL: one message to each participant whose last check-in is
unanswered after ``reminder_after_hours`` and before the alert (``checkin_reminder``).

Its rows differ per participant in two ways the other bulk rules do not: the week of the
check-in it reminds of (in the key and in the template), read from the table of Paris
midnights (:data:`.dated_rules.MIDNIGHTS`), and the moment it expires — the check-in plus
``alert_after_days``, exact hours added in each dialect's own arithmetic.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Interval, String, case, cast, func, literal, literal_column, select
from sqlalchemy.orm import Session

from store.base import UTCDateTime
from store.outbox import OutboxMessage
from store.planning.bulk import OUTBOX_SELECT_COLUMNS, insert_select
from store.planning.dated_rules import day_of
from store.planning.set_rules import REMINDER, ROUND, Params, Sentence, key, reminder_due

r = ROUND.c


def plus_hours(moment: Any, hours: int, dialect: str) -> Any:
    """``moment`` + ``hours`` (exact hours, not calendar days: DST changes nothing)."""
    if dialect == "postgresql":
        return moment + literal_column(f"interval '{int(hours)} hours'", Interval())
    # SQLite keeps ``YYYY-MM-DD HH:MM:SS.ffffff``: the same format, the fraction kept.
    shifted = func.strftime("%Y-%m-%d %H:%M:%S", moment, f"+{int(hours)} hours", type_=String)
    return shifted.op("||")(func.substr(moment, 20))


def _json(template: Sentence, week: Any, dialect: str) -> Any:
    text = literal(template.before) + week + literal(template.after)
    return cast(text, JSON) if dialect == "postgresql" else text


def insert_reminders(session: Session, p: Params, offer: Sentence, plain: Sentence) -> int:
    """The reminders due now (``offer`` and ``plain``: the template's JSON around the week,
    offering a meeting to those with too few this month, or not); returns rows inserted."""
    if p.reminder_send_at is None:
        return 0
    dialect = session.get_bind().dialect.name
    outbox = OutboxMessage.__table__
    week = day_of(r.last_checkin_at, "week")
    query = select(
        key(p, REMINDER) + literal(":") + week,
        r.person_id,
        literal(REMINDER),
        case(
            (r.this_month < p.per_month, _json(offer, week, dialect)),
            else_=_json(plain, week, dialect),
        ),
        literal(p.reminder_send_at, outbox.c.not_before.type),
        plus_hours(r.last_checkin_at, p.alert_hours, dialect).cast(UTCDateTime)
        if dialect == "postgresql"
        else plus_hours(r.last_checkin_at, p.alert_hours, dialect),
        literal(False),
        literal("pending"),
        literal(0),
        literal(p.now, outbox.c.created_at.type),
    ).where(reminder_due(p))
    return insert_select(session, outbox, OUTBOX_SELECT_COLUMNS, query)  # type: ignore[arg-type]
