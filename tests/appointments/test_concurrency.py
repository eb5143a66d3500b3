"""No overbooking, ever: 200 people pressing "book" on the same slot at the same moment."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from capabilities.appointments.booking import BookingError, book, cancel, count_active
from capabilities.appointments.config import Rules
from store.appointments import Booking
from store.db import SessionFactory
from tests.appointments.conftest import NOW, add_people

RULES = Rules()
WEDNESDAY_9 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # 9:00 in Paris, 3 staff present
WEDNESDAY_14 = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)  # the collective group, capacity 3


def attempt_all(sessions: SessionFactory, motif: str, start: datetime, n: int = 200) -> list[str]:
    with sessions() as session:
        people = add_people(session, n)
    barrier = threading.Barrier(min(n, 40))

    def one(person_id: int) -> str:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=5)
        with sessions() as session:
            try:
                book(
                    session,
                    person_id=person_id,
                    espace_id="saint_pol",
                    motif_id=motif,
                    start=start,
                    now=NOW,
                    rules=RULES,
                )
                session.commit()
                return "ok"
            except BookingError as exc:
                session.rollback()
                return exc.reason
            except IntegrityError:
                session.rollback()
                return "constraint"

    with ThreadPoolExecutor(max_workers=40) as pool:
        return list(pool.map(one, people))


def test_200_concurrent_attempts_on_a_slot_of_three_staff_book_exactly_three(
    any_sessions: SessionFactory,
) -> None:
    outcomes = attempt_all(any_sessions, "info", WEDNESDAY_9)
    assert outcomes.count("ok") == 3
    assert set(outcomes) <= {"ok", "taken", "constraint"}
    with any_sessions() as session:
        assert count_active(session, "saint_pol", "info", WEDNESDAY_9) == 3
        staff = session.scalars(select(Booking.staff_id)).all()
        assert len(set(staff)) == 3  # three different people, no one double-booked


def test_200_concurrent_attempts_on_a_group_of_three_book_exactly_three(
    any_sessions: SessionFactory,
) -> None:
    outcomes = attempt_all(any_sessions, "group", WEDNESDAY_14)
    assert outcomes.count("ok") == 3
    with any_sessions() as session:
        assert count_active(session, "saint_pol", "group", WEDNESDAY_14) == 3
        assert sorted(session.scalars(select(Booking.seat))) == [1, 2, 3]


def test_concurrent_move_and_cancel_of_one_booking_stay_consistent(
    any_sessions: SessionFactory,
) -> None:
    for round_ in range(6):
        with any_sessions() as session:
            (person,) = add_people(session, 1)
            first = book(
                session,
                person_id=person,
                espace_id="saint_pol",
                motif_id="rsa",
                start=datetime(2026, 11, 26, 8, 0, tzinfo=UTC),
                now=NOW,
                rules=RULES,
            )
            session.commit()
            booking_id = first.id
        barrier = threading.Barrier(2)
        target = datetime(2026, 11, 27 + round_ % 2, 8, 45, tzinfo=UTC)  # 9:45 Paris

        def move(
            person: int = person,
            booking_id: int = booking_id,
            target: datetime = target,
            barrier: threading.Barrier = barrier,
        ) -> str:
            barrier.wait(timeout=5)
            with any_sessions() as session:
                try:
                    book(
                        session,
                        person_id=person,
                        espace_id="saint_pol",
                        motif_id="rsa",
                        start=target,
                        now=NOW,
                        rules=RULES,
                        replace=booking_id,
                    )
                    session.commit()
                    return "moved"
                except BookingError as exc:
                    session.rollback()
                    return exc.reason

        def drop(
            person: int = person, booking_id: int = booking_id, barrier: threading.Barrier = barrier
        ) -> str:
            barrier.wait(timeout=5)
            with any_sessions() as session:
                try:
                    cancel(session, booking_id=booking_id, person_id=person, now=NOW, rules=RULES)
                    session.commit()
                    return "cancelled"
                except BookingError as exc:
                    session.rollback()
                    return exc.reason

        with ThreadPoolExecutor(max_workers=2) as pool:
            results = sorted(f.result() for f in [pool.submit(move), pool.submit(drop)])
        assert results in (["moved", "not_active"], ["cancelled", "not_active"])
        with any_sessions() as session:
            rows = session.scalars(select(Booking).where(Booking.person_id == person)).all()
            old = next(b for b in rows if b.id == booking_id)
            booked = [b for b in rows if b.status == "booked"]
            if "moved" in results:
                assert old.status == "moved" and len(booked) == 1
                assert booked[0].id == old.moved_to_id
            else:
                assert old.status == "cancelled" and booked == []
