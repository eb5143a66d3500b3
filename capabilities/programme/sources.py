"""What the appointments capability tells the cadence (``capabilities/appointments/programme.py``).

- ``enqueue_due_reminders(session, now) -> int``: plan its own reminders (called every tick);
- ``physical_meetings(session, person_ids, since, until)``: start times of in-person meetings
  per person, held (marked seen) before now and booked after now;
- ``physical_meetings_query(since, until, now)``: the same as ``(person_id, starts_at)`` rows of
  a query, which the planner aggregates in SQL with the meetings counsellors record;
- ``offer_slots(turn) -> list[Reply] | None``: one-tap slots for the check-in.

Meetings counsellors record themselves (``ContactEvent`` of kind ``physical``) are counted by
the planner on top of these (``capabilities/programme/aggregates.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from capabilities.appointments import programme as booking
from core.clock import utcnow
from store.db import Session
from store.planning.aggregates import MeetingsQuery

if TYPE_CHECKING:
    from capabilities.conversation.turn import Turn
    from core.messages import Reply


def enqueue_due_reminders(session: Session, now: datetime) -> int:
    """Let the appointments capability plan its reminders."""
    return int(booking.enqueue_due_reminders(session, now))


def physical_meetings(
    session: Session,
    person_ids: Iterable[int],
    since: datetime,
    until: datetime,
    now: datetime | None = None,
) -> dict[int, list[datetime]]:
    """Physical meetings held or booked through the appointments capability, per person."""
    found = booking.physical_meetings(session, person_ids, since, until, now or utcnow())
    return {person: sorted(times) for person, times in found.items() if times}


def physical_meetings_query(since: datetime, until: datetime, now: datetime) -> MeetingsQuery:
    """``(person_id, starts_at)`` of in-person meetings in ``[since, until)``: held (seen)
    before ``now``, active bookings after it — a query the planner aggregates in SQL."""
    return booking.physical_meetings_query(since, until, now)


def offer_slots(turn: Turn) -> list[Reply] | None:
    """One-tap meeting slots for the check-in, or ``None`` when nothing is free."""
    return booking.offer_slots(turn)


def available() -> bool:
    """Is the appointments capability installed (for the documentation and the report)?"""
    return True
