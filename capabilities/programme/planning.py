"""Set-based planning for every participant: the bulk rules in SQL, the rest on a few rows.

1. The aggregates of every open participant (:mod:`.aggregates`) go into a temporary
   table, in one ``INSERT … SELECT``.
2. The four rules that concern nearly everyone at once (:mod:`.set_rules`: weekly
   check-in, week without contact, meetings not planned or missed) write their outbox and
   counsellor-task rows straight from that table: ``INSERT … SELECT … ON CONFLICT
   (idempotency_key) DO NOTHING`` with the key built in SQL. Rows hold the check-in as a
   template rendered at send time in the person's language (``.templates``).
3. The participants for whom another rule may be due (a predicate in SQL) go through the pure
   :func:`.cadence.due_actions`; their actions outside those four rules are inserted
   in bulk, idempotently too. So are the caseload alerts.

Planning twice is harmless: the second round inserts nothing. :func:`compute` (the ``due``
command) runs the pure function on every row instead, and the tests check that both agree.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, literal, select, text
from sqlalchemy.orm import Session

from capabilities.programme.aggregates import (
    COLUMNS,
    OPEN_STATUSES,
    Row,
    aggregate_query,
    load_rows,
    participant_row,
    stream,
    to_row,
)
from capabilities.programme.bulk import insert_rows, insert_select
from capabilities.programme.cadence import DueAction, Kind, caseload_actions, due_actions
from capabilities.programme.rules import Rules
from capabilities.programme.set_rules import (
    ROUND,
    SQL_RULES,
    TASK_KINDS,
    WEEKLY_CHECKIN,
    Moment,
    json_value,
)
from capabilities.programme.templates import checkin_template
from store.outbox import OutboxMessage
from store.programme import CounsellorTask, Participant

__all__ = [
    "OPEN_STATUSES",
    "PlanResult",
    "Row",
    "caseloads",
    "compute",
    "load_rows",
    "participant_row",
    "plan",
    "plan_per_row",
]

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


@dataclass
class PlanResult:
    """What one planning round did."""

    participants: int = 0
    actions: int = 0  # due at ``now``, written now or already there
    messages_planned: int = 0  # outbox rows inserted
    tasks_created: int = 0  # counsellor task rows inserted
    candidates: int = 0  # participants who went through the pure function
    seconds: float = 0.0
    aggregates_seconds: float = 0.0  # the temporary table of aggregates
    rules_seconds: float = 0.0  # the pure function (on the candidates, or everyone)
    outbox_seconds: float = 0.0  # writing the messages and tasks
    by_rule: dict[str, int] = field(default_factory=dict)


def caseloads(session: Session) -> dict[int, int]:
    """Open participants per counsellor."""
    rows = session.execute(
        select(Participant.counsellor_id, func.count())
        .where(Participant.status.in_(OPEN_STATUSES), Participant.counsellor_id.is_not(None))
        .group_by(Participant.counsellor_id)
    )
    return {int(counsellor): int(count) for counsellor, count in rows}


def compute(
    session: Session, now: datetime, rules: Rules, counter: list[int] | None = None
) -> Iterator[tuple[Row | None, DueAction]]:
    """Every due action at ``now`` from the pure function on every row (nothing written)."""
    for row in load_rows(session, now):
        if counter is not None:
            counter[0] += 1
        for action in due_actions(row.state, row.history, now, rules):
            yield row, action
    for counsellor, count in caseloads(session).items():
        for action in caseload_actions(counsellor, count, now, rules):
            yield None, action


def plan(session: Session, now: datetime, rules: Rules) -> PlanResult:
    """Plan everything due at ``now`` (the caller commits). Idempotent."""
    started = time.perf_counter()
    result = PlanResult()
    moment = Moment.at(now, rules)
    if session.autoflush:
        session.flush()
    session.execute(text(f"DROP TABLE IF EXISTS {ROUND.name}"))
    ROUND.create(session.connection())
    try:
        query = aggregate_query(now).add_columns(
            func.coalesce(Participant.programme_start, Participant.orientation_on)
        )
        filled = session.execute(
            ROUND.insert()
            .from_select([*COLUMNS, "starts_on"], query)
            .execution_options(preserve_rowcount=True)
        )
        result.participants = int(getattr(filled, "rowcount", 0) or 0)
        result.aggregates_seconds = time.perf_counter() - started
        predicates = moment.predicates()
        _count_sql_rules(session, predicates, result)
        actions = list(_other_rules(session, now, rules, moment, result))
        result.rules_seconds = time.perf_counter() - started - result.aggregates_seconds
        written = time.perf_counter()
        result.messages_planned = _weekly_checkins(session, moment, predicates)
        result.tasks_created = _sql_tasks(session, moment, predicates)
        _write(session, now, rules, actions, result)
        result.outbox_seconds = time.perf_counter() - written
    finally:
        session.execute(text(f"DROP TABLE IF EXISTS {ROUND.name}"))
    result.seconds = time.perf_counter() - started
    return result


def plan_per_row(session: Session, now: datetime, rules: Rules) -> PlanResult:
    """The same round, the pure function run on every participant (as the planner did before
    the SQL rules): the reference of the tests and of ``python -m bench.planning``."""
    started = time.perf_counter()
    result = PlanResult()
    counted = [0]
    actions = list(compute(session, now, rules, counted))
    result.participants = result.candidates = counted[0]
    result.rules_seconds = time.perf_counter() - started
    _write(session, now, rules, actions, result)
    result.outbox_seconds = time.perf_counter() - started - result.rules_seconds
    result.seconds = time.perf_counter() - started
    return result


def _count_sql_rules(session: Session, predicates: dict[str, Any], result: PlanResult) -> None:
    """How many actions of each SQL rule are due (inserted now or earlier)."""
    if not predicates:
        return
    counts = session.execute(
        select(*[func.count(case((p, 1))) for p in predicates.values()]).select_from(ROUND)
    ).one()
    for rule, count in zip(predicates, counts, strict=True):
        if count:
            result.by_rule[rule] = result.by_rule.get(rule, 0) + int(count)


def _other_rules(
    session: Session, now: datetime, rules: Rules, moment: Moment, result: PlanResult
) -> Iterator[tuple[Row | None, DueAction]]:
    """The pure function on the candidates (their actions outside the SQL rules) and the
    caseload alerts."""
    query = select(*[ROUND.c[name] for name in COLUMNS]).where(moment.candidates())
    for values in (values for chunk in stream(session, query) for values in chunk):
        candidate = to_row(values)
        result.candidates += 1
        for action in due_actions(candidate.state, candidate.history, now, rules):
            if action.rule not in SQL_RULES:
                yield candidate, action
    for counsellor, count in caseloads(session).items():
        for action in caseload_actions(counsellor, count, now, rules):
            yield None, action


def _write(
    session: Session,
    now: datetime,
    rules: Rules,
    actions: list[tuple[Row | None, DueAction]],
    result: PlanResult,
) -> None:
    """Insert the actions' outbox and counsellor-task rows in bulk, idempotently."""
    messages: list[tuple[Any, ...]] = []
    tasks: list[tuple[Any, ...]] = []
    # Messages are templates rendered at send time (``.templates``): a handful of
    # distinct ones per round, each sent once as a parameter and indexed (1-based) by the rows.
    templates: dict[tuple[str, bool, bool], int] = {}
    replies: list[list[dict[str, Any]]] = []
    per_month = rules.physical_meetings.per_month
    by_rule = result.by_rule
    for row, action in actions:
        by_rule[action.rule] = by_rule.get(action.rule, 0) + 1
        kind = action.kind
        if kind is Kind.NUDGE or kind is Kind.REMIND:
            if row is None or not row.person_id:
                continue
            offer = row.history.meetings_this_month < per_month
            key = (action.period, kind is Kind.REMIND, offer)
            index = templates.get(key)
            if index is None:
                replies.append(checkin_template(key[0], reminder=key[1], offer_meeting=offer))
                index = templates[key] = len(replies)
            messages.append(
                (
                    action.key,
                    row.person_id,
                    action.rule,
                    index,
                    action.not_before,
                    action.expires_at,
                )
            )
        else:
            tasks.append(
                (
                    action.key,
                    action.participant_id,
                    action.counsellor_id,
                    "alert" if kind is Kind.ALERT else "task",
                    action.rule,
                    action.reason,
                    action.not_before,
                )
            )
    result.actions = sum(by_rule.values())
    result.messages_planned += insert_rows(
        session,
        OutboxMessage.__table__,  # type: ignore[arg-type]
        MESSAGE_COLUMNS,
        messages,
        {"ignore_quiet_hours": False, "status": "pending", "attempts": 0, "created_at": now},
        {"replies": replies},
    )
    result.tasks_created += insert_rows(
        session,
        CounsellorTask.__table__,  # type: ignore[arg-type]
        TASK_COLUMNS,
        tasks,
        {"created_at": now},
        {},
    )


def _weekly_checkins(session: Session, moment: Moment, predicates: dict[str, Any]) -> int:
    """The week's check-ins, straight from the table of aggregates; returns rows inserted."""
    predicate = predicates.get(WEEKLY_CHECKIN)
    w = moment.week
    if predicate is None or w.send_at is None:
        return 0
    per_month = moment.rules.physical_meetings.per_month
    dialect = session.get_bind().dialect.name
    offer, plain = (
        json_value(json.dumps(checkin_template(w.label, reminder=False, offer_meeting=o)), dialect)
        for o in (True, False)
    )
    outbox = OutboxMessage.__table__
    key = moment.key(WEEKLY_CHECKIN)
    query = select(
        key,
        ROUND.c.person_id,
        literal(WEEKLY_CHECKIN),
        case((ROUND.c.this_month < per_month, offer), else_=plain),
        literal(w.send_at, outbox.c.not_before.type),
        literal(w.closes, outbox.c.expires_at.type),
        literal(False),
        literal("pending"),
        literal(0),
        literal(moment.now, outbox.c.created_at.type),
    ).where(predicate)
    return insert_select(
        session,
        outbox,  # type: ignore[arg-type]
        [
            "idempotency_key",
            "person_id",
            "rule",
            "replies",
            "not_before",
            "expires_at",
            "ignore_quiet_hours",
            "status",
            "attempts",
            "created_at",
        ],
        query,
    )


def _sql_tasks(session: Session, moment: Moment, predicates: dict[str, Any]) -> int:
    """The counsellor tasks of the SQL rules; returns rows inserted."""
    table = CounsellorTask.__table__
    at = literal(moment.now, table.c.due_at.type)
    inserted = 0
    for rule, kind in TASK_KINDS.items():
        predicate = predicates.get(rule)
        if predicate is None:
            continue
        key = moment.key(rule)
        query = select(
            key,
            ROUND.c.id,
            ROUND.c.counsellor_id,
            literal("alert" if kind is Kind.ALERT else "task"),
            literal(rule),
            moment.reason(rule),
            at,
            at,
        ).where(predicate)
        inserted += insert_select(
            session,
            table,  # type: ignore[arg-type]
            [*TASK_COLUMNS, "created_at"],
            query,
        )
    return inserted
