"""Appointments: free-slot search and booking transactions (issue 3).

Prints JSON lines:
- ``slot_search``: free slots over 60 days × 2 Espaces × every motif of the shipped config,
  with a third of the individual slots already taken — pure computation and from the
  database (agenda + bookings loaded). Target p95 ≤ 20 ms.
- ``booking_tx``: one booking transaction (lock, recount, insert, reminders in the outbox,
  commit) on PostgreSQL and SQLite, sequential. Target p95 ≤ 30 ms on PostgreSQL.
- ``booking_throughput``: 8 threads booking distinct slots at once (bookings per second).

``python -m bench.booking`` (PostgreSQL on 127.0.0.1:5432; skipped with a note if absent).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from capabilities.appointments.agenda import load_calendar, load_occupancy, search
from capabilities.appointments.booking import book
from capabilities.appointments.config import load_config
from capabilities.appointments.slots import Slot, free_slots
from capabilities.appointments.sync import sync_config
from capabilities.information.espaces import load_espaces
from store.db import SessionFactory, make_engine, make_session_factory
from store.migrate import upgrade
from store.models import Person
from store.scratch import postgres_database

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50/p95/max in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def timed(action: Callable[[], object], runs: int) -> list[float]:
    """Wall time of ``runs`` calls."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


def prepare(url: str) -> SessionFactory:
    """A migrated database with the shipped agenda."""
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions() as session:
        sync_config(session, load_config(), load_espaces())
        session.commit()
    return sessions


def all_slots(sessions: SessionFactory) -> list[Slot]:
    """Every free slot of the horizon, every Espace and motif."""
    config = load_config()
    with sessions() as session:
        espaces = [e.id for e in load_espaces()]
        return search(
            session, config.rules, NOW, espace_ids=espaces, motif_ids=[m.id for m in config.motifs]
        )


def people(sessions: SessionFactory, count: int) -> list[int]:
    """Consenting people to book for."""
    with sessions() as session:
        rows = [Person(consent="given") for _ in range(count)]
        session.add_all(rows)
        session.commit()
        return [p.id for p in rows]


def book_one(sessions: SessionFactory, person: int, slot: Slot) -> bool:
    """One booking transaction, committed."""
    with sessions() as session:
        try:
            book(
                session,
                person_id=person,
                espace_id=slot.espace_id,
                motif_id=slot.motif_id,
                start=slot.start,
                now=NOW,
                rules=load_config().rules,
            )
            session.commit()
            return True
        except Exception:
            session.rollback()
            return False


def bench_search(sessions: SessionFactory) -> None:
    """Free-slot search, pure and from the database, with a third of the slots taken."""
    slots = all_slots(sessions)
    individual = [s for s in slots if s.staff_free][::3]
    ids = people(sessions, len(individual))
    for person, slot in zip(ids, individual, strict=True):
        book_one(sessions, person, slot)
    config = load_config()
    espaces = [e.id for e in load_espaces()]
    motifs = [m.id for m in config.motifs]
    with sessions() as session:
        calendar = load_calendar(session, config.rules)
        occupancy = load_occupancy(session, NOW, NOW + timedelta(days=62))
        found = free_slots(calendar, occupancy, NOW, espace_ids=espaces, motif_ids=motifs)
        pure = timed(
            lambda: free_slots(calendar, occupancy, NOW, espace_ids=espaces, motif_ids=motifs), 60
        )
        db = timed(
            lambda: search(session, config.rules, NOW, espace_ids=espaces, motif_ids=motifs), 40
        )
        one = timed(
            lambda: search(session, config.rules, NOW, espace_ids=["gare"], motif_ids=["info"]),
            40,
        )
    print(
        json.dumps(
            {
                "bench": "slot_search",
                "days": config.rules.horizon_days,
                "espaces": len(espaces),
                "motifs": len(motifs),
                "free_slots": len(found),
                "bookings": len(individual),
                "pure": percentiles(pure),
                "with_db_sqlite": percentiles(db),
                "one_motif_one_espace_with_db": percentiles(one),
                "target_p95_ms": 20,
            }
        ),
        flush=True,
    )


def bench_booking(sessions: SessionFactory, backend: str) -> None:
    """Sequential booking transactions, then 8 threads on distinct slots."""
    # one individual motif and the collective sessions: no two picks compete for a place
    slots = [s for s in all_slots(sessions) if s.motif_id == "info" or not s.staff_free]
    sequential, parallel = slots[:150], slots[150:550]
    ids = people(sessions, len(sequential) + len(parallel))
    samples = []
    for person, slot in zip(ids, sequential, strict=False):
        started = time.perf_counter()
        book_one(sessions, person, slot)
        samples.append(time.perf_counter() - started)
    pairs = list(zip(ids[len(sequential) :], parallel, strict=False))
    lock = threading.Lock()
    done = [0]

    def one(pair: tuple[int, Slot]) -> None:
        if book_one(sessions, *pair):
            with lock:
                done[0] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, pairs))
    elapsed = time.perf_counter() - started
    print(
        json.dumps(
            {
                "bench": "booking_tx",
                "backend": backend,
                **percentiles(samples),
                "target_p95_ms": 30 if backend == "postgresql" else None,
            }
        ),
        flush=True,
    )
    print(
        json.dumps(
            {
                "bench": "booking_throughput",
                "backend": backend,
                "threads": 8,
                "attempts": len(pairs),
                "booked": done[0],
                "bookings_per_second": round(done[0] / elapsed, 1),
            }
        ),
        flush=True,
    )


@contextmanager
def postgres() -> Iterator[str | None]:
    """A throw-away PostgreSQL database, or None when the server is not there."""
    name = f"bench_booking_{uuid.uuid4().hex[:8]}"
    stack = ExitStack()
    try:
        url = stack.enter_context(postgres_database(ADMIN_URL, name))
    except Exception as exc:
        print(json.dumps({"bench": "booking_tx", "backend": "postgresql", "skipped": str(exc)}))
        yield None
        return
    with stack:
        yield url


def main() -> None:
    """Run the three measurements."""
    with tempfile.TemporaryDirectory() as folder:
        bench_search(prepare(f"sqlite:///{Path(folder) / 'search.db'}"))
        bench_booking(prepare(f"sqlite:///{Path(folder) / 'book.db'}"), "sqlite")
    with postgres() as url:
        if url is not None:
            sessions = prepare(url)
            bench_booking(sessions, "postgresql")
            sessions.kw["bind"].dispose()


if __name__ == "__main__":
    main()
