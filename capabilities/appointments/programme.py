"""What the appointments capability tells the RSA programme's cadence and check-in.

- :func:`physical_meetings`: meetings held (marked « vu ») and meetings still to come (active
  bookings), of in-person motifs — the cadence counts held ones as done and future ones as
  planned; :func:`physical_meetings_query` is the same as a query, which the planner folds
  into its set-based aggregates;
- :func:`offer_slots`: one-tap slots of the RSA programme meeting for the weekly check-in;
- :func:`enqueue_due_reminders`: the reminders the scheduler's tick plans.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from capabilities.appointments.agenda import active, search
from capabilities.appointments.config import load_config
from capabilities.appointments.notices import slot_buttons
from capabilities.appointments.reminders import enqueue_due_reminders
from capabilities.conversation.turn import Turn
from core.messages import Reply
from store.appointments import Booking, Espace, Motif

__all__ = [
    "enqueue_due_reminders",
    "offer_slots",
    "physical_meetings",
    "physical_meetings_query",
]


def physical_meetings_query(since: datetime, until: datetime, now: datetime) -> Select[Any]:
    """``(person_id, starts_at)`` of every in-person meeting starting in ``[since, until)``:
    held (marked seen) before ``now``, active bookings after it."""
    held = and_(Booking.starts_at <= now, Booking.attendance == "seen")
    planned = and_(Booking.starts_at > now, active())
    return (
        select(Booking.person_id, Booking.starts_at)
        .join(Motif, Motif.id == Booking.motif_id)
        .where(
            Booking.person_id.is_not(None),
            Motif.physical.is_(True),
            Booking.starts_at >= since,
            Booking.starts_at < until,
            or_(held, planned),
        )
    )


def physical_meetings(
    session: Session, person_ids: Iterable[int], since: datetime, until: datetime, now: datetime
) -> dict[int, list[datetime]]:
    """Start times per person: in-person meetings held before ``now``, active ones after."""
    ids = list(person_ids)
    meetings: dict[int, list[datetime]] = {pid: [] for pid in ids}
    if not ids:
        return meetings
    rows = session.execute(
        physical_meetings_query(since, until, now)
        .where(Booking.person_id.in_(ids))
        .order_by(Booking.starts_at)
    )
    for person_id, starts_at in rows:
        meetings[int(person_id)].append(starts_at)
    return meetings


def offer_slots(turn: Turn) -> list[Reply] | None:
    """The next free RSA programme meetings, at the Espace with the earliest one."""
    config = load_config()
    motif = turn.session.scalars(
        select(Motif)
        .where(Motif.active.is_(True), Motif.rsa.is_(True), Motif.kind == "individual")
        .order_by(Motif.position, Motif.id)
        .limit(1)
    ).first()
    if motif is None:
        return None
    slots = search(
        turn.session,
        config.rules,
        turn.now,
        espace_ids=list(turn.session.scalars(select(Espace.id).where(Espace.active.is_(True)))),
        motif_ids=[motif.id],
    )
    if not slots:
        return None
    espace_id = min(slots, key=lambda s: s.start).espace_id
    rows = slot_buttons(turn.session, motif.id, espace_id, turn.now, turn.locale)
    text = turn._(
        "Vous pouvez choisir tout de suite votre prochaine rencontre avec votre conseiller :"
    )
    return [Reply(text=text, buttons=tuple(rows))]
