"""Reminders 48 h before and the morning of the day, within allowed hours, planned once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from capabilities.appointments.booking import book, cancel
from capabilities.appointments.config import Rules
from capabilities.appointments.reminders import BookingRef, enqueue_due_reminders, plan_reminders
from core.clock import PARIS
from store.db import SessionFactory
from store.outbox import OutboxMessage, load_replies
from tests.appointments.conftest import NOW, add_people


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def plan(start: datetime, created: datetime, now: datetime | None = None) -> dict[str, datetime]:
    planned = plan_reminders([BookingRef(7, 1, start, created)], now or created)
    return {p.rule: p.not_before for p in planned}


def test_48h_and_morning_reminders() -> None:
    planned = plan_reminders(
        [BookingRef(7, 1, paris(2026, 11, 26, 10, 0), paris(2026, 11, 20, 12, 0))],
        paris(2026, 11, 20, 12, 0),
    )
    by_rule = {p.rule: p for p in planned}
    assert by_rule["reminder_48h"].not_before == paris(2026, 11, 24, 10, 0)
    assert by_rule["reminder_48h"].key == "reminder48:7"
    assert not by_rule["reminder_48h"].ignore_quiet_hours
    assert by_rule["reminder_day"].not_before == paris(2026, 11, 26, 8, 30)
    assert by_rule["reminder_day"].ignore_quiet_hours
    assert by_rule["reminder_day"].expires_at == paris(2026, 11, 26, 10, 0)


def test_48h_reminder_moves_out_of_sundays_and_quiet_hours() -> None:
    # Tuesday 10:00 → Sunday 10:00 is a rest day → Monday 8:30
    assert plan(paris(2026, 12, 1, 10, 0), paris(2026, 11, 20, 9, 0))["reminder_48h"] == paris(
        2026, 11, 30, 8, 30
    )
    # Thursday 9:00 after Christmas? Tuesday 8:00 → Sunday? use an evening: 48 h before 21:00
    planned = plan(paris(2026, 12, 3, 21, 0), paris(2026, 11, 20, 9, 0))
    assert planned["reminder_48h"] == paris(2026, 12, 2, 8, 30)  # not at 21:00 Tuesday


def test_no_48h_reminder_when_booked_less_than_48h_ahead_nor_morning_one_when_booked_that_day() -> (
    None
):
    assert set(plan(paris(2026, 11, 26, 10, 0), paris(2026, 11, 25, 9, 0))) == {"reminder_day"}
    assert plan(paris(2026, 11, 26, 15, 0), paris(2026, 11, 26, 10, 0)) == {}


def test_dst_week_morning_reminder_is_at_8_30_paris() -> None:
    planned = plan(paris(2026, 3, 30, 10, 0), paris(2026, 3, 20, 9, 0))
    assert planned["reminder_day"] == paris(2026, 3, 30, 8, 30)
    assert planned["reminder_day"].hour == 6  # 8:30 CEST is 6:30 UTC


def test_tick_enqueues_once_and_cancelling_cancels_pending_reminders(
    sessions: SessionFactory,
) -> None:
    rules = Rules()
    with sessions() as session:
        (person,) = add_people(session, 1)
        booking = book(
            session,
            person_id=person,
            espace_id="saint_pol",
            motif_id="info",
            start=paris(2026, 11, 27, 9, 0),
            now=NOW,
            rules=rules,
        )
        session.commit()
        assert enqueue_due_reminders(session, NOW) == 0  # planned at booking time already
        assert enqueue_due_reminders(session, NOW + timedelta(hours=5)) == 0
        rows = session.scalars(select(OutboxMessage)).all()
        assert {r.idempotency_key for r in rows} == {
            f"reminder48:{booking.id}",
            f"reminderday:{booking.id}",
        }
        reply = load_replies(rows[0].replies)[0]
        assert [b.label for b in reply.flat_buttons()] == ["Je viens", "Je ne peux pas"]
        assert "vendredi 27 novembre à 9 h 00" in reply.text or "9 h 00" in reply.text
        cancel(session, booking_id=booking.id, person_id=person, now=NOW, rules=rules)
        session.commit()
        assert {r.status for r in session.scalars(select(OutboxMessage))} == {"cancelled"}
        assert enqueue_due_reminders(session, NOW) == 0
