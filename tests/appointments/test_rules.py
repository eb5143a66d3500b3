"""Booking rules: window, one per motif, waiting list in order, attendance, no-show, config."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from capabilities.appointments.booking import (
    BookingError,
    book,
    cancel,
    join_waitlist,
    mark_attendance,
    physical_meetings,
)
from capabilities.appointments.config import AppointmentsConfigError, Rules
from store.appointments import WaitlistEntry
from store.db import SessionFactory
from store.outbox import OutboxMessage, load_replies
from tests.appointments.conftest import NOW, add_people, make_config, raw_config

RULES = Rules()
GROUP = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)  # Wednesday 14:00 Paris, capacity 3
INFO_9 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # Thursday 9:00 Paris


def test_window_and_one_active_booking_per_motif(sessions: SessionFactory) -> None:
    with sessions() as session:
        (person,) = add_people(session, 1)
        for too_soon_or_late in (NOW + timedelta(hours=1), NOW + timedelta(days=70)):
            with pytest.raises(BookingError) as refused:
                book(
                    session,
                    person_id=person,
                    espace_id="saint_pol",
                    motif_id="info",
                    start=too_soon_or_late,
                    now=NOW,
                    rules=RULES,
                )
            assert refused.value.reason == "window"
        with pytest.raises(BookingError) as refused:  # 9:10 is not a slot
            book(
                session,
                person_id=person,
                espace_id="saint_pol",
                motif_id="info",
                start=INFO_9 + timedelta(minutes=10),
                now=NOW,
                rules=RULES,
            )
        assert refused.value.reason == "no_slot"
        book(
            session,
            person_id=person,
            espace_id="saint_pol",
            motif_id="info",
            start=INFO_9,
            now=NOW,
            rules=RULES,
        )
        with pytest.raises(BookingError) as refused:
            book(
                session,
                person_id=person,
                espace_id="saint_pol",
                motif_id="info",
                start=INFO_9 + timedelta(days=1),
                now=NOW,
                rules=RULES,
            )
        assert refused.value.reason == "duplicate"
        book(
            session,
            person_id=person,
            espace_id="saint_pol",
            motif_id="rsa",
            start=INFO_9 + timedelta(minutes=45),
            now=NOW,
            rules=RULES,
        )  # another motif is fine


def test_waiting_list_is_notified_in_order(sessions: SessionFactory) -> None:
    with sessions() as session:
        people = add_people(session, 5)
        seats = [
            book(
                session,
                person_id=p,
                espace_id="saint_pol",
                motif_id="group",
                start=GROUP,
                now=NOW,
                rules=RULES,
            )
            for p in people[:3]
        ]
        with pytest.raises(BookingError):
            book(
                session,
                person_id=people[3],
                espace_id="saint_pol",
                motif_id="group",
                start=GROUP,
                now=NOW,
                rules=RULES,
            )
        first = join_waitlist(
            session, person_id=people[3], motif_id="group", espace_id="saint_pol", now=NOW
        )
        second = join_waitlist(
            session,
            person_id=people[4],
            motif_id="group",
            espace_id=None,
            now=NOW + timedelta(minutes=1),
        )
        assert (
            join_waitlist(
                session, person_id=people[3], motif_id="group", espace_id="saint_pol", now=NOW
            ).id
            == first.id
        )
        cancel(session, booking_id=seats[0].id, person_id=people[0], now=NOW, rules=RULES)
        messages = session.scalars(
            select(OutboxMessage).where(OutboxMessage.rule == "waitlist_freed")
        ).all()
        assert [m.person_id for m in messages] == [people[3]]
        reply = load_replies(messages[0].replies)[0]
        assert "place s'est libérée" in reply.text
        assert any(b.payload.startswith("appt:pick:group:saint_pol:") for b in reply.flat_buttons())
        cancel(session, booking_id=seats[1].id, person_id=people[1], now=NOW, rules=RULES)
        entries = session.scalars(select(WaitlistEntry).order_by(WaitlistEntry.id)).all()
        assert [e.status for e in entries] == ["notified", "notified"]
        assert second.id == entries[1].id


def test_attendance_noshow_writes_kindly_and_seen_counts_as_physical(
    sessions: SessionFactory,
) -> None:
    with sessions() as session:
        a, b = add_people(session, 2)
        seen = book(
            session,
            person_id=a,
            espace_id="saint_pol",
            motif_id="rsa",
            start=INFO_9,
            now=NOW,
            rules=RULES,
        )
        missed = book(
            session,
            person_id=b,
            espace_id="saint_pol",
            motif_id="group",
            start=GROUP,
            now=NOW,
            rules=RULES,
        )
        with pytest.raises(BookingError) as refused:
            mark_attendance(session, booking_id=seen.id, status="seen", now=NOW)
        assert refused.value.reason == "future"
        later = INFO_9 + timedelta(hours=2)
        mark_attendance(session, booking_id=seen.id, status="seen", now=later)
        mark_attendance(session, booking_id=missed.id, status="noshow", now=later)
        (message,) = session.scalars(
            select(OutboxMessage).where(OutboxMessage.rule == "noshow_followup")
        ).all()
        assert message.person_id == b
        reply = load_replies(message.replies)[0]
        assert "Nous ne vous avons pas vu" in reply.text and "cela arrive" in reply.text
        assert reply.flat_buttons()
        meetings = physical_meetings(session, [a, b], NOW, NOW + timedelta(days=7))
        assert meetings == {a: [INFO_9], b: []}
        with pytest.raises(BookingError):
            mark_attendance(session, booking_id=seen.id, status="bogus", now=later)


def test_staff_revoking_a_future_booking_frees_it(sessions: SessionFactory) -> None:
    with sessions() as session:
        (a,) = add_people(session, 1)
        booking = book(
            session,
            person_id=a,
            espace_id="saint_pol",
            motif_id="info",
            start=INFO_9,
            now=NOW,
            rules=RULES,
        )
        mark_attendance(session, booking_id=booking.id, status="revoked", now=NOW)
        assert booking.status == "cancelled" and booking.attendance == "revoked"
        again = book(
            session,
            person_id=a,
            espace_id="saint_pol",
            motif_id="info",
            start=INFO_9,
            now=NOW,
            rules=RULES,
        )
        assert again.status == "booked"


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda raw: raw["motifs"][1].update(duration_min=-5), "motifs.1.duration_min"),
        (lambda raw: raw["rules"].update(horizon=3), "rules.horizon"),
        (lambda raw: raw["periods"][0].update(espace="lille"), "periods.0.espace"),
        (lambda raw: raw["periods"][0].update(staff=["nobody"]), "periods.0.staff"),
        (lambda raw: raw["sessions"][0].update(motif="info"), "sessions.0.motif"),
        (lambda raw: raw["motifs"][2].pop("capacity"), "motifs.2"),
        (lambda raw: raw["periods"][1].update(end="13:00"), "periods.1"),
    ],
)
def test_a_bad_config_names_the_bad_key(change: object, where: str) -> None:
    raw = raw_config()
    change(raw)  # type: ignore[operator]
    with pytest.raises(AppointmentsConfigError) as error:
        make_config(**raw)
    assert where in str(error.value)


def test_the_shipped_config_loads_and_says_hours_are_examples() -> None:
    from capabilities.appointments.config import CONFIG, load_config

    config = load_config()
    assert config.example is True
    assert "À RENSEIGNER" in CONFIG.read_text(encoding="utf-8")
    assert {m.id for m in config.motifs} >= {"info", "conseil", "rsa", "joblabo", "orienta"}
