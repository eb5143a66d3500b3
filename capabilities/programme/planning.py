"""Set-based planning for every participant: every cadence rule in SQL.

1. The aggregates of every open participant (:mod:`.aggregates`) go into a temporary
   table, in one ``INSERT … SELECT``.
2. The four rules that concern nearly everyone at once (:mod:`.set_rules`: weekly
   check-in, week without contact, meetings not planned or missed) write their outbox and
   counsellor-task rows straight from that table: one ``INSERT … SELECT`` each (a plain
   insert, ``ON CONFLICT (idempotency_key) DO NOTHING`` when a key is already there) with
   the key built in SQL. Rows hold the check-in as a template rendered at send time in the
   person's language (``.templates``).
3. So do the dated rules (first meeting, CER, unanswered check-in, diagnoses, programme end
   and length: ``store.planning.dated_rules``), over two small tables computed here — the
   round's distinct days with their ``add_months`` dates and labels, and the Paris
   midnights — and the check-in reminder (``store.planning.reminders``). A rule with
   nothing due is not written at all. The caseload alerts go through the pure function.

The SQL of each step is in :mod:`store.planning.round`; this module orders the steps.
Planning twice is harmless: the second round inserts nothing. :func:`plan_per_row` (and
:func:`compute`, the ``due`` command) run the pure function on every row instead, and the
tests check that both agree.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from capabilities.programme import set_rules
from capabilities.programme.aggregates import (
    OPEN_STATUSES,
    Row,
    bounds,
    load_rows,
    meetings_query,
    participant_row,
)
from capabilities.programme.cadence import DueAction, Kind, caseload_actions, due_actions
from capabilities.programme.rules import Rules
from capabilities.programme.templates import checkin_template
from store.db import Session
from store.planning import dated_rules, reminders
from store.planning import round as sql_round
from store.planning.aggregates import IdRange, caseloads
from store.planning.set_rules import Params, Sentence

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


@dataclass
class PlanResult:
    """What one planning round did."""

    participants: int = 0
    actions: int = 0  # due at ``now``, written now or already there
    messages_planned: int = 0  # outbox rows inserted
    tasks_created: int = 0  # counsellor task rows inserted
    candidates: int = 0  # participants who went through the pure function (plan_per_row)
    seconds: float = 0.0
    aggregates_seconds: float = 0.0  # the temporary table of aggregates
    rules_seconds: float = 0.0  # days, midnights and counts (or the pure function, per row)
    outbox_seconds: float = 0.0  # writing the messages and tasks
    by_rule: dict[str, int] = field(default_factory=dict)


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


def plan(session: Session, now: datetime, rules: Rules, ids: IdRange | None = None) -> PlanResult:
    """Plan everything due at ``now`` (the caller commits). Idempotent.

    ``ids``: one batch of the round (``.batches``): only those participants, and the
    per-counsellor alerts only in the batch marked ``first``."""
    started = time.perf_counter()
    result = PlanResult()
    p = set_rules.params(now, rules)
    b = bounds(now)
    sql_round.open_round(session, alone=ids is None)
    try:
        result.participants = sql_round.fill(session, now, b, meetings_query(b, now), ids)
        result.aggregates_seconds = time.perf_counter() - started
        days = set_rules.calendar(dated_rules.distinct_days(session), now, rules)
        since = dated_rules.oldest_instant(session, p)
        dated_rules.fill_days(session, days, set_rules.midnights(since, now))
        for rule, count in sql_round.count_sql_rules(session, p).items():
            if count:
                result.by_rule[rule] = result.by_rule.get(rule, 0) + count
        due = set(result.by_rule)  # the SQL rules with rows to write: the others are skipped
        actions = list(_caseload_alerts(session, now, rules)) if ids is None or ids.first else []
        result.rules_seconds = time.perf_counter() - started - result.aggregates_seconds
        written = time.perf_counter()
        if set_rules.WEEKLY_CHECKIN in due:
            result.messages_planned = _weekly_checkins(session, p)
        if set_rules.REMINDER in due:
            result.messages_planned += _reminders(session, p)
        result.tasks_created = sql_round.insert_sql_tasks(session, p, due)
        _write(session, now, rules, actions, result)
        result.outbox_seconds = time.perf_counter() - written
    finally:
        sql_round.close_round(session)
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


def _caseload_alerts(
    session: Session, now: datetime, rules: Rules
) -> Iterator[tuple[Row | None, DueAction]]:
    """The caseload alerts (per counsellor, not per participant)."""
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
    result.messages_planned += sql_round.insert_messages(session, messages, replies, now)
    result.tasks_created += sql_round.insert_tasks(session, tasks, now)


def _weekly_checkins(session: Session, p: Params) -> int:
    """The week's check-ins, straight from the table of aggregates; returns rows inserted."""
    if p.checkin_send_at is None:
        return 0
    offer, plain = (
        json.dumps(checkin_template(p.week_label, reminder=False, offer_meeting=o))
        for o in (True, False)
    )
    return sql_round.insert_weekly_checkins(session, p, offer, plain)


def _reminders(session: Session, p: Params) -> int:
    """The check-in reminders due now, straight from the table of aggregates."""
    offer, plain = (
        Sentence(*json.dumps(checkin_template(_WEEK, reminder=True, offer_meeting=o)).split(_WEEK))
        for o in (True, False)
    )
    return reminders.insert_reminders(session, p, offer, plain)


_WEEK = "@week@"  # where the SQL puts the reminded check-in's week in the template
