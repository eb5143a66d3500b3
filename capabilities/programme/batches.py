"""One planning round in batches that run side by side, each committed on its own.

On PostgreSQL the open participants are cut into ``jobs.planning_batches`` ranges of ids
of equal size (their quantiles). Each range is planned by :func:`.planning.plan` on its own
connection, in its own thread, and committed alone: the database uses a core per batch,
and no transaction holds a whole national round (900,000 messages, ~850 MB of WAL).

A batch that fails leaves the others' rows: every row has its idempotency key, so the next
round (or the next leader, when this one dies half-way) writes what is missing, never a
row twice. The error is raised once every batch has ended.

SQLite has one writer: it plans in one transaction, as does ``planning_batches: 1``.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import datetime

from capabilities.programme.planning import PlanResult, plan
from capabilities.programme.rules import Rules
from store.db import SessionFactory
from store.planning.aggregates import IdRange, cut_points


def plan_round(sessions: SessionFactory, now: datetime, rules: Rules) -> PlanResult:
    """Plan everything due at ``now`` and commit it, in batches when the database allows."""
    started = time.perf_counter()
    ranges = id_ranges(sessions, rules.jobs.planning_batches)
    if len(ranges) <= 1:
        with sessions() as session:
            result = plan(session, now, rules)
            session.commit()
        return result
    with ThreadPoolExecutor(len(ranges), thread_name_prefix="planning") as pool:
        futures = [pool.submit(_batch, sessions, now, rules, ids) for ids in ranges]
        wait(futures)
    for future in futures:
        error = future.exception()
        if error is not None:
            raise error
    result = merged([future.result() for future in futures])
    result.seconds = time.perf_counter() - started
    return result


def id_ranges(sessions: SessionFactory, batches: int) -> list[IdRange]:
    """The open participants cut into ``batches`` ranges of about as many people each
    (one range, unbounded, on SQLite, for one batch, or when there is no one to cut)."""
    whole = [IdRange(None, None)]
    if batches <= 1 or sessions.kw["bind"].dialect.name != "postgresql":
        return whole
    with sessions() as session:
        stops = cut_points(session, batches)
    if not stops:
        return whole
    starts: list[int | None] = [None, *stops]
    ends: list[int | None] = [*stops, None]
    return [
        IdRange(start, stop, first=start is None) for start, stop in zip(starts, ends, strict=True)
    ]


def _batch(sessions: SessionFactory, now: datetime, rules: Rules, ids: IdRange) -> PlanResult:
    with sessions() as session:
        result = plan(session, now, rules, ids)
        session.commit()
    return result


def merged(results: list[PlanResult]) -> PlanResult:
    """The batches' results as one round's (each step's time: the slowest batch's)."""
    total = PlanResult()
    for part in results:
        total.participants += part.participants
        total.actions += part.actions
        total.messages_planned += part.messages_planned
        total.tasks_created += part.tasks_created
        total.candidates += part.candidates
        total.aggregates_seconds = max(total.aggregates_seconds, part.aggregates_seconds)
        total.rules_seconds = max(total.rules_seconds, part.rules_seconds)
        total.outbox_seconds = max(total.outbox_seconds, part.outbox_seconds)
        for rule, count in part.by_rule.items():
            total.by_rule[rule] = total.by_rule.get(rule, 0) + count
    return total
