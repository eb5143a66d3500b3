"""Book, move and cancel in one transaction each, without ever overbooking.

Every operation first takes the (Espace, day) agenda lock — ``SELECT … FOR UPDATE`` on
PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite — then recounts the free places from the database
and only then writes. Checks come before any write, so a refusal (:class:`BookingError`)
leaves the caller's transaction unchanged and it may still be committed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from capabilities.appointments import notices
from capabilities.appointments.agenda import day_bounds, load_calendar, load_occupancy
from capabilities.appointments.config import Rules
from capabilities.appointments.slots import Calendar, Occupancy, find_slot
from core.clock import PARIS
from store import repo_appointments
from store.appointments import ATTENDANCE, Booking, WaitlistEntry
from store.db import Session


class BookingError(Exception):
    """A refused operation; ``reason`` says why, nothing was written."""

    def __init__(self, reason: str, booking: Booking | None = None) -> None:
        super().__init__(reason)
        self.reason = reason  # window|no_slot|taken|duplicate|not_found|not_active|too_late|past
        self.booking = booking


def _owned(session: Session, booking_id: int, person_id: int | None) -> Booking:
    booking = repo_appointments.booking_for_update(session, booking_id)
    if booking is None or (person_id is not None and booking.person_id != person_id):
        raise BookingError("not_found")
    return booking


def _free_seat(session: Session, espace_id: str, motif_id: str, start: datetime) -> int:
    taken = repo_appointments.seats_taken(session, espace_id, motif_id, start)
    seat = 1
    while seat in taken:
        seat += 1
    return seat


def book(
    session: Session,
    *,
    person_id: int,
    espace_id: str,
    motif_id: str,
    start: datetime,
    now: datetime,
    rules: Rules,
    replace: int | None = None,
    calendar: Calendar | None = None,
    staff_id: int | None = None,
) -> Booking:
    """Book a slot (or move ``replace`` to it: the old one is kept until this one is taken)."""
    if start < now + timedelta(hours=rules.min_delay_hours):
        raise BookingError("window")
    day = start.astimezone(PARIS).date()
    if day > now.astimezone(PARIS).date() + timedelta(days=rules.horizon_days):
        raise BookingError("window")
    calendar = calendar or load_calendar(session, rules)
    repo_appointments.lock_agenda(session, espace_id, day)
    old = None
    if replace is not None:
        old = _owned(session, replace, person_id)
        if old.status != "booked":
            raise BookingError("not_active", old)
    if rules.one_active_per_motif:
        existing = repo_appointments.active_of_motif(
            session, person_id, motif_id, now, exclude=replace or 0
        )
        if existing is not None:
            raise BookingError("duplicate", existing)
    bounds = day_bounds(day)
    occupancy = load_occupancy(session, bounds[0], bounds[1], [espace_id], exclude=replace)
    slot = find_slot(calendar, occupancy, now, espace_id=espace_id, motif_id=motif_id, start=start)
    if slot is None:
        exists = find_slot(
            calendar, Occupancy(), now, espace_id=espace_id, motif_id=motif_id, start=start
        )
        raise BookingError("taken" if exists else "no_slot")
    booking = Booking(
        person_id=person_id,
        espace_id=espace_id,
        motif_id=motif_id,
        starts_at=slot.start,
        ends_at=slot.end,
        created_at=now,
    )
    if slot.staff_free and staff_id is not None:
        if staff_id not in slot.staff_free:  # the referent is no longer free then
            raise BookingError("taken")
        booking.staff_id = staff_id
    elif slot.staff_free:
        booking.staff_id = slot.staff_free[0]
    else:
        booking.seat = _free_seat(session, espace_id, motif_id, slot.start)
    session.add(booking)
    session.flush()
    if old is not None:
        if (
            repo_appointments.mark_moved(session, old.id, booking.id, now) != 1
        ):  # impossible under the lock: fail the turn
            raise RuntimeError(f"booking {old.id} changed under the lock")
        session.refresh(old)
        cancel_reminders(session, old.id)
    repo_appointments.close_waitlist(session, person_id, motif_id)
    notices.plan_for_booking(session, booking, now)
    return booking


def cancel(
    session: Session,
    *,
    booking_id: int,
    person_id: int | None,
    now: datetime,
    rules: Rules,
    by: str = "person",
    enforce_limit: bool = True,
) -> Booking:
    """Cancel an upcoming booking (until ``cancel_limit_hours`` before, for the person)."""
    repo_appointments.begin_write(session)
    booking = _owned(session, booking_id, person_id)
    if booking.status != "booked":
        raise BookingError("not_active", booking)
    if booking.starts_at <= now:
        raise BookingError("past", booking)
    if enforce_limit and booking.starts_at - now < timedelta(hours=rules.cancel_limit_hours):
        raise BookingError("too_late", booking)
    if repo_appointments.mark_cancelled(session, booking.id, now, by) != 1:
        raise RuntimeError(f"booking {booking.id} changed under the lock")
    session.refresh(booking)
    cancel_reminders(session, booking.id)
    notify_waitlist(session, booking, now)
    return booking


def cancel_reminders(session: Session, booking_id: int) -> int:
    """Pending reminders of a cancelled or moved booking are not sent."""
    return repo_appointments.cancel_pending_messages(session, notices.reminder_keys(booking_id))


def join_waitlist(
    session: Session, *, person_id: int, motif_id: str, espace_id: str | None, now: datetime
) -> WaitlistEntry:
    """Be told when a place frees up (once per person and motif)."""
    entry = repo_appointments.waiting(session, person_id, motif_id)
    if entry is None:
        entry = WaitlistEntry(
            person_id=person_id, motif_id=motif_id, espace_id=espace_id, created_at=now
        )
        session.add(entry)
        session.flush()
    return entry


def notify_waitlist(session: Session, freed: Booking, now: datetime) -> WaitlistEntry | None:
    """A place freed up: tell the first person waiting for it (in order of arrival)."""
    entry = repo_appointments.first_waiting(session, freed)
    if entry is None:
        return None
    entry.status = "notified"
    entry.notified_at = now
    notices.waitlist_freed(session, entry, freed, now)
    return entry


def confirm_coming(session: Session, *, booking_id: int, person_id: int, now: datetime) -> Booking:
    """ "Je viens": noted for the staff."""
    booking = _owned(session, booking_id, person_id)
    if booking.status != "booked" or booking.starts_at <= now:
        raise BookingError("not_active", booking)
    booking.confirmed_at = now
    return booking


def mark_attendance(
    session: Session, *, booking_id: int, status: str, now: datetime, by: str = "staff"
) -> Booking:
    """Staff record what happened; a no-show gets a kind message offering new slots."""
    if status not in ATTENDANCE:
        raise BookingError("bad_status")
    booking = _owned(session, booking_id, None)
    if booking.status != "booked":
        raise BookingError("not_active", booking)
    if status in ("seen", "noshow") and booking.starts_at > now:
        raise BookingError("future", booking)
    booking.attendance, booking.attendance_at, booking.attendance_by = status, now, by
    if status in ("excused", "revoked") and booking.starts_at > now:
        booking.status, booking.cancelled_at, booking.cancelled_by = "cancelled", now, by
        session.flush()
        cancel_reminders(session, booking.id)
        notify_waitlist(session, booking, now)
    if status == "noshow" and booking.person_id is not None:
        notices.noshow_followup(session, booking, now)
    session.flush()
    return booking


def upcoming(session: Session, person_id: int, now: datetime) -> list[Booking]:
    """A person's active bookings that have not started yet, soonest first."""
    return repo_appointments.upcoming(session, person_id, now)


def physical_meetings(
    session: Session, person_ids: list[int], since: datetime, until: datetime
) -> dict[int, list[datetime]]:
    """Seen in-person meetings (individual or collective) per person, for the RSA cadence."""
    meetings: dict[int, list[datetime]] = {pid: [] for pid in person_ids}
    for person_id, starts_at in repo_appointments.seen_physical_meetings(
        session, person_ids, since, until
    ):
        meetings[person_id].append(starts_at)
    return meetings


def count_active(session: Session, espace_id: str, motif_id: str, start: datetime) -> int:
    """How many active bookings a slot has (tests, CLI)."""
    return repo_appointments.count_active(session, espace_id, motif_id, start)
