"""Book, move and cancel in one transaction each, without ever overbooking.

Every operation first takes the (Espace, day) agenda lock — ``SELECT … FOR UPDATE`` on
PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite — then recounts the free places from the database
and only then writes. Checks come before any write, so a refusal (:class:`BookingError`)
leaves the caller's transaction unchanged and it may still be committed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Select, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from capabilities.appointments import notices
from capabilities.appointments.agenda import active, day_bounds, load_calendar, load_occupancy
from capabilities.appointments.config import Rules
from capabilities.appointments.slots import Calendar, Occupancy, find_slot
from core.clock import PARIS
from store.appointments import ATTENDANCE, AgendaLock, Booking, Motif, WaitlistEntry
from store.outbox import OutboxMessage


class BookingError(Exception):
    """A refused operation; ``reason`` says why, nothing was written."""

    def __init__(self, reason: str, booking: Booking | None = None) -> None:
        super().__init__(reason)
        self.reason = reason  # window|no_slot|taken|duplicate|not_found|not_active|too_late|past
        self.booking = booking


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def begin_write(session: Session) -> None:
    """On SQLite, take the write lock now (``BEGIN IMMEDIATE``) so concurrent writers queue."""
    if _dialect(session) != "sqlite":
        return
    connection = session.connection()
    raw = connection.connection.dbapi_connection
    if raw is not None and not getattr(raw, "in_transaction", True):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def lock_agenda(session: Session, espace_id: str, day: date) -> None:
    """Serialise bookings of one Espace on one day (the capacity check happens under it)."""
    begin_write(session)
    locked = select(AgendaLock.version).where(
        AgendaLock.espace_id == espace_id, AgendaLock.day == day
    )
    if session.execute(locked.with_for_update()).first() is not None:
        return
    insert = pg_insert if _dialect(session) == "postgresql" else sqlite_insert
    session.execute(
        insert(AgendaLock)
        .values(espace_id=espace_id, day=day, version=0)
        .on_conflict_do_nothing(index_elements=["espace_id", "day"])
    )
    session.execute(locked.with_for_update())


def _for_update(query: Select[tuple[Booking]]) -> Select[tuple[Booking]]:
    return query.with_for_update()


def _owned(session: Session, booking_id: int, person_id: int | None) -> Booking:
    query = _for_update(select(Booking).where(Booking.id == booking_id))
    booking = session.scalars(query.execution_options(populate_existing=True)).one_or_none()
    if booking is None or (person_id is not None and booking.person_id != person_id):
        raise BookingError("not_found")
    return booking


def _free_seat(session: Session, espace_id: str, motif_id: str, start: datetime) -> int:
    taken = set(
        session.scalars(
            select(Booking.seat).where(
                active(),
                Booking.espace_id == espace_id,
                Booking.motif_id == motif_id,
                Booking.starts_at == start,
                Booking.seat.isnot(None),
            )
        )
    )
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
) -> Booking:
    """Book a slot (or move ``replace`` to it: the old one is kept until this one is taken)."""
    if start < now + timedelta(hours=rules.min_delay_hours):
        raise BookingError("window")
    day = start.astimezone(PARIS).date()
    if day > now.astimezone(PARIS).date() + timedelta(days=rules.horizon_days):
        raise BookingError("window")
    calendar = calendar or load_calendar(session, rules)
    lock_agenda(session, espace_id, day)
    old = None
    if replace is not None:
        old = _owned(session, replace, person_id)
        if old.status != "booked":
            raise BookingError("not_active", old)
    if rules.one_active_per_motif:
        existing = session.scalars(
            select(Booking).where(
                active(),
                Booking.person_id == person_id,
                Booking.motif_id == motif_id,
                Booking.starts_at > now,
                Booking.id != (replace or 0),
            )
        ).first()
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
    if slot.staff_free:
        booking.staff_id = slot.staff_free[0]
    else:
        booking.seat = _free_seat(session, espace_id, motif_id, slot.start)
    session.add(booking)
    session.flush()
    if old is not None:
        moved = session.execute(
            update(Booking)
            .where(Booking.id == old.id, Booking.status == "booked")
            .values(status="moved", moved_to_id=booking.id, cancelled_at=now, cancelled_by="move")
        )
        if getattr(moved, "rowcount", 0) != 1:  # impossible under the lock: fail the turn
            raise RuntimeError(f"booking {old.id} changed under the lock")
        session.refresh(old)
        cancel_reminders(session, old.id)
    session.execute(
        update(WaitlistEntry)
        .where(
            WaitlistEntry.person_id == person_id,
            WaitlistEntry.motif_id == motif_id,
            WaitlistEntry.status != "done",
        )
        .values(status="done")
    )
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
    begin_write(session)
    booking = _owned(session, booking_id, person_id)
    if booking.status != "booked":
        raise BookingError("not_active", booking)
    if booking.starts_at <= now:
        raise BookingError("past", booking)
    if enforce_limit and booking.starts_at - now < timedelta(hours=rules.cancel_limit_hours):
        raise BookingError("too_late", booking)
    done = session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status == "booked")
        .values(status="cancelled", cancelled_at=now, cancelled_by=by)
    )
    if getattr(done, "rowcount", 0) != 1:
        raise RuntimeError(f"booking {booking.id} changed under the lock")
    session.refresh(booking)
    cancel_reminders(session, booking.id)
    notify_waitlist(session, booking, now)
    return booking


def cancel_reminders(session: Session, booking_id: int) -> int:
    """Pending reminders of a cancelled or moved booking are not sent."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.idempotency_key.in_(notices.reminder_keys(booking_id)),
            OutboxMessage.status == "pending",
        )
        .values(status="cancelled")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def join_waitlist(
    session: Session, *, person_id: int, motif_id: str, espace_id: str | None, now: datetime
) -> WaitlistEntry:
    """Be told when a place frees up (once per person and motif)."""
    entry = session.scalars(
        select(WaitlistEntry).where(
            WaitlistEntry.person_id == person_id,
            WaitlistEntry.motif_id == motif_id,
            WaitlistEntry.status == "waiting",
        )
    ).first()
    if entry is None:
        entry = WaitlistEntry(
            person_id=person_id, motif_id=motif_id, espace_id=espace_id, created_at=now
        )
        session.add(entry)
        session.flush()
    return entry


def notify_waitlist(session: Session, freed: Booking, now: datetime) -> WaitlistEntry | None:
    """A place freed up: tell the first person waiting for it (in order of arrival)."""
    entry = session.scalars(
        select(WaitlistEntry)
        .where(
            WaitlistEntry.motif_id == freed.motif_id,
            WaitlistEntry.status == "waiting",
            (WaitlistEntry.espace_id == freed.espace_id) | WaitlistEntry.espace_id.is_(None),
            WaitlistEntry.person_id != (freed.person_id or 0),
        )
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
        .limit(1)
    ).first()
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
    return list(
        session.scalars(
            select(Booking)
            .where(active(), Booking.person_id == person_id, Booking.ends_at > now)
            .order_by(Booking.starts_at)
        )
    )


def physical_meetings(
    session: Session, person_ids: list[int], since: datetime, until: datetime
) -> dict[int, list[datetime]]:
    """Seen in-person meetings (individual or collective) per person, for the RSA cadence."""
    rows = session.execute(
        select(Booking.person_id, Booking.starts_at)
        .join(Motif, Motif.id == Booking.motif_id)
        .where(
            Booking.person_id.in_(person_ids),
            Booking.attendance == "seen",
            Motif.physical.is_(True),
            Booking.starts_at >= since,
            Booking.starts_at < until,
        )
        .order_by(Booking.starts_at)
    )
    meetings: dict[int, list[datetime]] = {pid: [] for pid in person_ids}
    for person_id, starts_at in rows:
        meetings[person_id].append(starts_at)
    return meetings


def count_active(session: Session, espace_id: str, motif_id: str, start: datetime) -> int:
    """How many active bookings a slot has (tests, CLI)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Booking)
            .where(
                active(),
                Booking.espace_id == espace_id,
                Booking.motif_id == motif_id,
                Booking.starts_at == start,
            )
        )
        or 0
    )
