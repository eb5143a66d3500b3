"""Bookings and the waiting list: every query of the booking transactions, and the agenda lock.

The (Espace, day) agenda lock is the one dialect difference: ``SELECT … FOR UPDATE`` on an
``agenda_locks`` row on PostgreSQL (inserted with ``ON CONFLICT DO NOTHING`` the first time),
``BEGIN IMMEDIATE`` on SQLite (one writer at a time; ``FOR UPDATE`` is ignored there).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from store.appointments import AgendaLock, Booking, BookingContact, Motif, WaitlistEntry
from store.models import Person
from store.outbox import OutboxMessage


def active() -> ColumnElement[bool]:
    """An active booking: booked, and its person still exists (erasure frees the seat)."""
    return and_(Booking.status == "booked", Booking.person_id.isnot(None))


# --- the agenda lock ------------------------------------------------------------------


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


# --- bookings -------------------------------------------------------------------------


def _for_update(query: Select[tuple[Booking]]) -> Select[tuple[Booking]]:
    return query.with_for_update()


def booking_for_update(session: Session, booking_id: int) -> Booking | None:
    """A booking, row-locked and re-read from the database (``None``: no such id)."""
    query = _for_update(select(Booking).where(Booking.id == booking_id))
    return session.scalars(query.execution_options(populate_existing=True)).one_or_none()


def seats_taken(session: Session, espace_id: str, motif_id: str, start: datetime) -> set[int]:
    """The seat numbers active bookings hold in one collective session."""
    return set(
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


def active_of_motif(
    session: Session, person_id: int, motif_id: str, now: datetime, exclude: int | None = None
) -> Booking | None:
    """A person's active upcoming booking of a motif (other than ``exclude``, when given)."""
    query = select(Booking).where(
        active(),
        Booking.person_id == person_id,
        Booking.motif_id == motif_id,
        Booking.starts_at > now,
    )
    if exclude is not None:
        query = query.where(Booking.id != exclude)
    return session.scalars(query).first()


def mark_moved(session: Session, booking_id: int, moved_to: int, now: datetime) -> int:
    """A still-booked booking becomes ``moved`` to another one; how many rows changed."""
    moved = session.execute(
        update(Booking)
        .where(Booking.id == booking_id, Booking.status == "booked")
        .values(status="moved", moved_to_id=moved_to, cancelled_at=now, cancelled_by="move")
    )
    return int(getattr(moved, "rowcount", 0) or 0)


def mark_cancelled(session: Session, booking_id: int, now: datetime, by: str) -> int:
    """A still-booked booking becomes ``cancelled``; how many rows changed."""
    done = session.execute(
        update(Booking)
        .where(Booking.id == booking_id, Booking.status == "booked")
        .values(status="cancelled", cancelled_at=now, cancelled_by=by)
    )
    return int(getattr(done, "rowcount", 0) or 0)


def cancel_pending_messages(session: Session, keys: list[str]) -> int:
    """Pending outbox messages with these idempotency keys are not sent; how many."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.idempotency_key.in_(keys),
            OutboxMessage.status == "pending",
        )
        .values(status="cancelled")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def upcoming(session: Session, person_id: int, now: datetime) -> list[Booking]:
    """A person's active bookings that have not ended yet, soonest first."""
    return list(
        session.scalars(
            select(Booking)
            .where(active(), Booking.person_id == person_id, Booking.ends_at > now)
            .order_by(Booking.starts_at)
        )
    )


def future_bookings(
    session: Session,
    now: datetime,
    *,
    espace_id: str | None = None,
    motif_id: str | None = None,
) -> list[Booking]:
    """Active bookings still to come, of one Espace and/or one motif."""
    query = select(Booking).where(active(), Booking.starts_at > now)
    if espace_id is not None:
        query = query.where(Booking.espace_id == espace_id)
    if motif_id is not None:
        query = query.where(Booking.motif_id == motif_id)
    return list(session.scalars(query.order_by(Booking.starts_at)))


def starting_between(session: Session, after: datetime, until: datetime) -> list[Booking]:
    """Active bookings starting in ``(after, until]`` (the reminders' look-ahead)."""
    return list(
        session.scalars(
            select(Booking).where(active(), Booking.starts_at > after, Booking.starts_at <= until)
        )
    )


def count_active(session: Session, espace_id: str, motif_id: str, start: datetime) -> int:
    """How many active bookings a slot has."""
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


# --- the waiting list -----------------------------------------------------------------


def close_waitlist(session: Session, person_id: int, motif_id: str) -> None:
    """A person who booked a motif no longer waits for it."""
    session.execute(
        update(WaitlistEntry)
        .where(
            WaitlistEntry.person_id == person_id,
            WaitlistEntry.motif_id == motif_id,
            WaitlistEntry.status != "done",
        )
        .values(status="done")
    )


def waiting(session: Session, person_id: int, motif_id: str) -> WaitlistEntry | None:
    """The person's waiting entry for a motif, if any."""
    return session.scalars(
        select(WaitlistEntry).where(
            WaitlistEntry.person_id == person_id,
            WaitlistEntry.motif_id == motif_id,
            WaitlistEntry.status == "waiting",
        )
    ).first()


def first_waiting(session: Session, freed: Booking) -> WaitlistEntry | None:
    """Who waits longest for the place ``freed`` leaves (not its own person)."""
    return session.scalars(
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


def person_with_accounts(session: Session, person_id: int) -> Person | None:
    """A person and their chat accounts (the language to write a reminder in)."""
    return session.get(Person, person_id, options=[selectinload(Person.accounts)])


# --- in-person meetings (the RSA cadence) ---------------------------------------------


def seen_physical_meetings(
    session: Session, person_ids: list[int], since: datetime, until: datetime
) -> list[tuple[int, datetime]]:
    """``(person_id, starts_at)`` of seen in-person meetings in ``[since, until)``."""
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
    return [(person_id, starts_at) for person_id, starts_at in rows]


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
) -> list[tuple[int, datetime]]:
    """``(person_id, starts_at)`` of these people's meetings (:func:`physical_meetings_query`),
    in time order."""
    rows = session.execute(
        physical_meetings_query(since, until, now)
        .where(Booking.person_id.in_(list(person_ids)))
        .order_by(Booking.starts_at)
    )
    return [(int(person_id), starts_at) for person_id, starts_at in rows]


# --- exports --------------------------------------------------------------------------


def all_bookings(session: Session, *, ordered: bool = False) -> list[Booking]:
    """Every booking (erased people included), in time order when ``ordered``."""
    query = select(Booking)
    if ordered:
        query = query.order_by(Booking.starts_at, Booking.id)
    return list(session.scalars(query))


def booked_between(session: Session, start: datetime, end: datetime) -> list[Booking]:
    """Booked rows starting in ``[start, end)``, by Espace then time (a day's list)."""
    return list(
        session.scalars(
            select(Booking)
            .where(Booking.starts_at >= start, Booking.starts_at < end, Booking.status == "booked")
            .order_by(Booking.espace_id, Booking.starts_at)
        )
    )


def contact_of(session: Session, person_id: int) -> BookingContact | None:
    """The first name and phone number a person gave while booking, if any."""
    return session.get(BookingContact, person_id)


def contacts_of(session: Session, person_ids: Iterable[int]) -> dict[int, BookingContact]:
    """The booking contacts of these people, by person."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    rows = session.scalars(select(BookingContact).where(BookingContact.person_id.in_(ids)))
    return {row.person_id: row for row in rows}


def save_contact(
    session: Session,
    person_id: int,
    *,
    first_name: str | None,
    phone: str | None,
    now: datetime,
) -> BookingContact:
    """Keep what was given while booking; ``None`` keeps what was there, ``""`` clears it.

    A phone number is only ever saved after the person's explicit yes (the caller's step),
    whose moment ``phone_consent_at`` records.
    """
    contact = session.get(BookingContact, person_id)
    if contact is None:
        contact = BookingContact(person_id=person_id, updated_at=now)
        session.add(contact)
    if first_name is not None:
        contact.first_name = first_name or None
    if phone is not None:
        contact.phone = phone or None
        contact.phone_consent_at = now if phone else None
    contact.updated_at = now
    return contact
