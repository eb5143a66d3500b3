"""Planning the weekly round for 90,000 participants on PostgreSQL (target: ≤ 5 s).

``python -m bench.planning [--participants 90000]``: a temporary database filled through COPY
(1,800 counsellors with 50 participants each, five contact events per participant, 5 % not
linked to Telegram, 5 % who said /stop), then, at Tuesday 1 December 2026, 10:00 Paris time
— the moment the weekly check-ins fall due:

- before: ``capabilities.programme.planning.plan_per_row``, the pure function on every
  participant (the planner before the SQL rules), rolled back;
- after: ``capabilities.programme.batches.plan_round``, the set-based round in
  ``--batches`` batches side by side (default: ``jobs.planning_batches`` of
  ``config/cadence.yaml``; 1 = one transaction), committed, then once more to show that
  planning twice adds nothing; both must agree on every count.

``--now`` plans at another moment (a Thursday: weeks without contact become tasks).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, date, datetime, timedelta

from bench._programme import copy_rows, temporary_postgres
from capabilities.programme.batches import plan_round
from capabilities.programme.planning import PlanResult, load_rows, plan, plan_per_row
from capabilities.programme.rules import Rules, default_rules
from store import repo_maintenance
from store.db import SessionFactory, make_session_factory

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # Tuesday 10:00 in Paris
PER_COUNSELLOR = 50


def load(engine: object, count: int) -> None:
    """Bulk fixtures (COPY): staff, people, accounts, participants, contact events."""
    created = datetime(2026, 6, 1, tzinfo=UTC)
    counsellors = count // PER_COUNSELLOR + 1
    copy_rows(
        engine,  # type: ignore[arg-type]
        "staff",
        ["id", "name", "role", "active", "created_at"],
        ((i, f"Conseiller {i}", "counsellor", True, created) for i in range(1, counsellors + 1)),
    )
    linked = [i for i in range(1, count + 1) if i % 20 != 0]  # 5 % not linked
    copy_rows(
        engine,  # type: ignore[arg-type]
        "people",
        ["id", "created_at", "consent", "consent_at", "proactive_opt_out"],
        ((i, created, "given", created, i % 20 == 1) for i in linked),  # 5 % said /stop
    )
    copy_rows(
        engine,  # type: ignore[arg-type]
        "channel_accounts",
        ["id", "person_id", "channel", "external_ref"],
        ((i, i, "telegram", str(i)) for i in linked),
    )
    copy_rows(
        engine,  # type: ignore[arg-type]
        "conversations",
        ["id", "person_id", "data", "misunderstood", "handoff", "updated_at"],
        ((i, i, "{}", 0, "bot", created) for i in linked),
    )

    def participant(i: int) -> tuple[object, ...]:
        orientation = date(2026, 6, 1) + timedelta(days=i % 150)
        # Those past three months had their diagnosis updated (the counsellors keep up).
        diagnosis = orientation + timedelta(days=92) if orientation <= date(2026, 9, 1) else None
        return (
            i,
            i if i % 20 != 0 else None,
            f"Participant {i}",
            i % counsellors + 1,
            orientation,
            orientation + timedelta(days=7),
            diagnosis,
            "active",
            NOW - timedelta(days=7),
            created,
        )

    copy_rows(
        engine,  # type: ignore[arg-type]
        "participants",
        [
            "id",
            "person_id",
            "name",
            "counsellor_id",
            "orientation_on",
            "cer_signed_on",
            "diagnosis_3m_on",
            "status",
            "last_checkin_at",
            "created_at",
        ],
        (participant(i) for i in range(1, count + 1)),
    )

    def events() -> object:
        for i in range(1, count + 1):
            orientation = datetime(2026, 6, 1, 9, tzinfo=UTC) + timedelta(days=i % 150)
            yield (i, "physical", orientation + timedelta(days=7), created)
            yield (i, "physical", datetime(2026, 11, 5, 9, tzinfo=UTC), created)
            yield (i, "physical", datetime(2026, 11, 19, 9, tzinfo=UTC), created)
            yield (i, "physical", datetime(2026, 12, 10, 9, tzinfo=UTC), created)  # booked
            yield (i, "checkin", NOW - timedelta(days=6, hours=2), created)

    copy_rows(
        engine,  # type: ignore[arg-type]
        "contact_events",
        ["participant_id", "kind", "occurred_at", "created_at"],
        events(),  # type: ignore[arg-type]
    )
    repo_maintenance.analyze(engine)  # type: ignore[arg-type]


def _vacuum(engine: object) -> None:
    """Clear what a rolled-back round left behind, so the next one starts from the same state."""
    repo_maintenance.vacuum(engine, ("outbox", "counsellor_tasks"))  # type: ignore[arg-type]


def _line(label: str, elapsed: float, result: PlanResult) -> str:
    return (
        f"{label}: {elapsed:.2f} s (slowest batch: aggregates "
        f"{result.aggregates_seconds:.2f} s, rules "
        f"{result.rules_seconds:.2f} s with the pure function on {result.candidates} "
        f"participants, writes "
        f"{result.outbox_seconds:.2f} s) for {result.participants} participants — "
        f"{result.messages_planned} messages and {result.tasks_created} counsellor tasks "
        f"written ({result.actions} actions: {dict(sorted(result.by_rule.items()))})"
    )


def _send_times(engine: object) -> str:
    """The outbox's size after the round and how long sending it takes at 30 and 1000/s."""
    with engine.connect() as connection:  # type: ignore[attr-defined]
        rows = int(connection.exec_driver_sql("SELECT count(*) FROM outbox").scalar() or 0)
    return (
        f"outbox: {rows} rows; sending them takes {rows / 30 / 3600:.1f} h at 30 msg/s, "
        f"{rows / 1000 / 60:.1f} min at 1000 msg/s"
    )


def _with_batches(rules: Rules, batches: int | None) -> Rules:
    if batches is None:
        return rules
    jobs = rules.jobs.model_copy(update={"planning_batches": batches})
    return rules.model_copy(update={"jobs": jobs})


def _one_transaction(
    sessions: SessionFactory, now: datetime, rules: Rules
) -> tuple[float, PlanResult]:
    """The set-based round in one transaction (``planning_batches: 1``), rolled back: what
    the batches are compared with, in the same run."""
    started = time.perf_counter()
    with sessions() as session:
        result = plan(session, now, rules)
        session.rollback()
    elapsed = time.perf_counter() - started
    print(_line("set-based in one transaction (rolled back)", elapsed, result), flush=True)
    return elapsed, result


def _same(a: PlanResult, b: PlanResult) -> bool:
    return (a.by_rule, a.messages_planned, a.tasks_created) == (
        b.by_rule,
        b.messages_planned,
        b.tasks_created,
    )


def main(count: int, now: datetime, *, per_row: bool = True, batches: int | None = None) -> int:
    """Load; plan per row (rolled back), then set-based twice; print the numbers.

    ``per_row=False`` (national scale: the per-row planner alone would take minutes) skips
    the comparison; ``tests/programme`` keeps both planners' results equal."""
    rules = _with_batches(default_rules(), batches)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"batches side by side: {rules.jobs.planning_batches} (cores here: {os.cpu_count()})")
    with temporary_postgres("bench_planning") as engine:
        started = time.perf_counter()
        load(engine, count)
        print(f"fixtures: {count} participants loaded in {time.perf_counter() - started:.1f} s")
        sessions = make_session_factory(engine)
        with sessions() as session:  # warm the caches for both planners alike
            sum(1 for _ in load_rows(session, now))
        started = time.perf_counter()
        before = None
        if per_row:
            with sessions() as session:
                before = plan_per_row(session, now, rules)
                session.rollback()
        per_row_s = time.perf_counter() - started
        if before is not None:
            label = "before — pure function on every participant (rolled back)"
            print(_line(label, per_row_s, before))
            _vacuum(engine)
        single = None
        if rules.jobs.planning_batches > 1:
            single = _one_transaction(sessions, now, rules)
            _vacuum(engine)
        results = []
        for attempt in ("first", "second"):
            started = time.perf_counter()
            result = plan_round(sessions, now, rules)
            elapsed = time.perf_counter() - started
            results.append(elapsed)
            print(_line(f"after — set-based, {attempt} round", elapsed, result), flush=True)
            if attempt == "first":
                print(_send_times(engine), flush=True)
            if attempt == "first" and any(
                other is not None and not _same(result, other)
                for other in (before, single[1] if single else None)
            ):
                print("MISMATCH: the planners disagree")
                return 1
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if before is not None:
        ratio = per_row_s / results[0]
        print(f"ratio before/after: {ratio:.1f}× ({per_row_s:.2f} s → {results[0]:.2f} s)")
    if single is not None:
        ratio = single[0] / results[0]
        print(
            f"ratio one transaction/batches: {ratio:.2f}× ({single[0]:.2f} s → {results[0]:.2f} s)"
        )
    target = 5.0 if count <= 100_000 else 20.0
    ok = results[0] <= target
    print(
        f"target (weekly round ≤ {target:.0f} s): {'met' if ok else 'NOT met'} ({results[0]:.2f} s)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.planning")
    parser.add_argument("--participants", type=int, default=90_000)
    parser.add_argument(
        "--now",
        type=lambda value: datetime.fromisoformat(value).astimezone(UTC),
        default=NOW,
        help="planning moment, ISO 8601 with offset (default: Tuesday 1 December 2026, "
        "10:00 Paris — check-in time; 2026-12-03T10:00+01:00 is a Thursday, when the weeks "
        "without contact become counsellor tasks)",
    )
    parser.add_argument(
        "--no-per-row", action="store_true", help="skip the per-row planner (1,000,000 people)"
    )
    parser.add_argument(
        "--batches",
        type=int,
        default=None,
        help="batches planned side by side (default: jobs.planning_batches; 1 = one transaction)",
    )
    arguments = parser.parse_args()
    sys.exit(
        main(
            arguments.participants,
            arguments.now,
            per_row=not arguments.no_per_row,
            batches=arguments.batches,
        )
    )
