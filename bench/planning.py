"""Planning the weekly round for 90,000 participants on PostgreSQL (target: ≤ 5 s).

``python -m bench.planning [--participants 90000]``: a temporary database filled through COPY
(1,800 counsellors with 50 participants each, five contact events per participant, 5 % not
linked to Telegram, 5 % who said /stop), then ``scheduler.planning.plan`` at Tuesday
1 December 2026, 10:00 Paris time — the moment the weekly check-ins fall due — and once more
to show that planning twice adds nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text

from bench._programme import copy_rows, temporary_postgres
from scheduler.planning import plan
from scheduler.rules import default_rules
from store.db import make_session_factory

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
    with engine.begin() as connection:  # type: ignore[attr-defined]
        connection.execute(text("ANALYZE"))


def main(count: int) -> int:
    """Load, plan twice, print the numbers."""
    rules = default_rules()
    with temporary_postgres("bench_planning") as engine:
        started = time.perf_counter()
        load(engine, count)
        print(f"fixtures: {count} participants loaded in {time.perf_counter() - started:.1f} s")
        sessions = make_session_factory(engine)
        results = []
        for attempt in ("first", "second"):
            started = time.perf_counter()
            with sessions() as session:
                result = plan(session, NOW, rules)
                session.commit()
            elapsed = time.perf_counter() - started
            results.append(elapsed)
            print(
                f"{attempt} planning: {elapsed:.2f} s (query and rules "
                f"{result.computed_seconds:.2f} s, outbox {result.outbox_seconds:.2f} s) "
                f"for {result.participants} participants — "
                f"{result.messages_planned} check-ins and {result.tasks_created} counsellor "
                f"tasks written ({result.actions} actions: {dict(sorted(result.by_rule.items()))})",
                flush=True,
            )
    ok = results[0] <= 5.0
    print(f"target (weekly round ≤ 5 s): {'met' if ok else 'NOT met'} ({results[0]:.2f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.planning")
    parser.add_argument("--participants", type=int, default=90_000)
    sys.exit(main(parser.parse_args().participants))
