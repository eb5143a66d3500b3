"""The SQL steps of one planning round over its temporary table of aggregates.

``capabilities.programme.planning.plan`` runs them in order: :func:`open_round`,
:func:`fill`, :func:`count_sql_rules`, :func:`insert_weekly_checkins`,
``reminders.insert_reminders``, :func:`insert_sql_tasks`, :func:`insert_messages` /
:func:`insert_tasks` (the other rules' actions), :func:`close_round`.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, select, text
from sqlalchemy.orm import Session

from store.outbox import OutboxMessage
from store.planning import dated_rules
from store.planning.aggregates import COLUMNS, Bounds, IdRange, MeetingsQuery, aggregate_query
from store.planning.bulk import OUTBOX_SELECT_COLUMNS, insert_rows, insert_select
from store.planning.set_rules import (
    DATED_KINDS,
    REMINDER,
    ROUND,
    TASK_KINDS,
    WEEKLY_CHECKIN,
    Params,
    json_value,
    key,
    predicates,
    reason,
    reminder_due,
)
from store.programme import CounsellorTask, Participant

MESSAGE_COLUMNS = ("idempotency_key", "person_id", "rule", "replies", "not_before", "expires_at")
TASK_COLUMNS = (
    "idempotency_key",
    "participant_id",
    "counsellor_id",
    "kind",
    "rule",
    "reason",
    "due_at",
)


# PostgreSQL settings for the round's statements (``SET LOCAL``, put back by ``close_round``):
# no JIT (compiling the big aggregate costs more than it saves, ~0.5 s a query), room for
# the hash of a million participants' events without spilling to disk.
ROUND_SETTINGS = {"jit": "off", "work_mem": "256MB"}


def open_round(session: Session, *, alone: bool = True) -> None:
    """A fresh temporary table for the round (pending ORM writes flushed first).

    ``alone`` False: other batches of the round run at the same time, each on its own
    connection, so a batch's queries get no parallel workers of their own (on a small
    machine they would only compete with the other batches for the same cores).

    On PostgreSQL the transaction also commits with ``synchronous_commit = off``: a crash
    just after COMMIT may lose the round's last writes (never corrupt them), and the next
    round writes them again — every row has an idempotency key. A later synchronous commit
    (the dispatcher's claim of a row) flushes the round's first."""
    if session.autoflush:
        session.flush()
    if _postgres(session):
        settings = {**ROUND_SETTINGS, "synchronous_commit": "off"}
        if not alone:
            settings["max_parallel_workers_per_gather"] = "0"
        for name, value in settings.items():
            session.execute(text(f"SET LOCAL {name} = '{value}'"))
    session.execute(text(f"DROP TABLE IF EXISTS {ROUND.name}"))
    ROUND.create(session.connection())


def close_round(session: Session) -> None:
    """Drop the round's temporary tables; the round's settings back to the session's."""
    session.execute(text(f"DROP TABLE IF EXISTS {ROUND.name}"))
    dated_rules.drop_days(session)
    if _postgres(session):
        for name in (*ROUND_SETTINGS, "max_parallel_workers_per_gather"):
            session.execute(text(f"SET LOCAL {name} TO DEFAULT"))


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def fill(
    session: Session,
    now: datetime,
    b: Bounds,
    meetings_query: MeetingsQuery,
    ids: IdRange | None = None,
) -> int:
    """Every open participant's aggregates (those in ``ids`` only, when given) into the
    table, in one ``INSERT … SELECT``; returns how many."""
    query = aggregate_query(now, b, meetings_query, ids=ids).add_columns(
        func.coalesce(Participant.programme_start, Participant.orientation_on)
    )
    filled = session.execute(
        ROUND.insert()
        .from_select([*COLUMNS, "starts_on"], query)
        .execution_options(preserve_rowcount=True)
    )
    return int(getattr(filled, "rowcount", 0) or 0)


def all_predicates(p: Params) -> dict[str, ColumnElement[bool]]:
    """The predicates of the SQL rules due now: the bulk rules' and the dated rules'
    (which read :data:`.dated_rules.SOURCE`, the round joined to its days)."""
    found = {**predicates(p), **dated_rules.predicates(p)}
    if p.reminder_send_at is not None:
        found[REMINDER] = reminder_due(p)
    return found


def count_sql_rules(session: Session, p: Params) -> dict[str, int]:
    """How many actions of each SQL rule due now (inserted now or earlier)."""
    found = all_predicates(p)
    counts = session.execute(
        select(*[func.count(case((predicate, 1))) for predicate in found.values()]).select_from(
            dated_rules.SOURCE
        )
    ).one()
    return {rule: int(count) for rule, count in zip(found, counts, strict=True)}


def insert_weekly_checkins(session: Session, p: Params, offer: str, plain: str) -> int:
    """The week's check-ins, straight from the table of aggregates (``offer``: the JSON of the
    template offering a meeting, for those with too few this month; ``plain`` the other);
    returns rows inserted."""
    predicate = predicates(p).get(WEEKLY_CHECKIN)
    if predicate is None or p.checkin_send_at is None:
        return 0
    dialect = session.get_bind().dialect.name
    offered, not_offered = json_value(offer, dialect), json_value(plain, dialect)
    outbox = OutboxMessage.__table__
    query = select(
        key(p, WEEKLY_CHECKIN),
        ROUND.c.person_id,
        literal(WEEKLY_CHECKIN),
        case((ROUND.c.this_month < p.per_month, offered), else_=not_offered),
        literal(p.checkin_send_at, outbox.c.not_before.type),
        literal(p.week_closes, outbox.c.expires_at.type),
        literal(False),
        literal("pending"),
        literal(0),
        literal(p.now, outbox.c.created_at.type),
    ).where(predicate)
    return insert_select(
        session,
        outbox,  # type: ignore[arg-type]
        OUTBOX_SELECT_COLUMNS,
        query,
    )


def insert_sql_tasks(session: Session, p: Params, due: Collection[str]) -> int:
    """The counsellor tasks of the SQL rules in ``due`` (those with rows to write, from
    :func:`count_sql_rules`); returns rows inserted."""
    table = CounsellorTask.__table__
    at = literal(p.now, table.c.due_at.type)
    found = all_predicates(p)
    inserted = 0
    for rule, kind in TASK_KINDS.items():
        predicate = found.get(rule)
        if predicate is None or rule not in due:
            continue
        dated = rule in DATED_KINDS
        query = (
            select(
                dated_rules.dated_key(p, rule) if dated else key(p, rule),
                ROUND.c.id,
                ROUND.c.counsellor_id,
                literal(kind),
                literal(rule),
                dated_rules.reason(p, rule) if dated else reason(p, rule),
                at,
                at,
            )
            .select_from(dated_rules.SOURCE if dated else ROUND)
            .where(predicate)
        )
        inserted += insert_select(
            session,
            table,  # type: ignore[arg-type]
            [*TASK_COLUMNS, "created_at"],
            query,
        )
    return inserted


def insert_messages(
    session: Session, rows: list[tuple[Any, ...]], replies: list[Any], now: datetime
) -> int:
    """Outbox rows of :data:`MESSAGE_COLUMNS` whose ``replies`` is a 1-based index into
    ``replies`` (each JSON template sent once); idempotent, returns rows inserted."""
    return insert_rows(
        session,
        OutboxMessage.__table__,  # type: ignore[arg-type]
        MESSAGE_COLUMNS,
        rows,
        {"ignore_quiet_hours": False, "status": "pending", "attempts": 0, "created_at": now},
        {"replies": replies},
    )


def insert_tasks(session: Session, rows: list[tuple[Any, ...]], now: datetime) -> int:
    """Counsellor-task rows of :data:`TASK_COLUMNS`; idempotent, returns rows inserted."""
    return insert_rows(
        session,
        CounsellorTask.__table__,  # type: ignore[arg-type]
        TASK_COLUMNS,
        rows,
        {"created_at": now},
        {},
    )
