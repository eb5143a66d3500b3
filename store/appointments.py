"""Appointments: Espaces, motifs, opening periods, closures, bookings, the waiting list.

Espaces, motifs, periods and closures are seeded from ``config/appointments.yaml`` (and the
Espaces from ``config/espaces.yaml``) and edited by admins in the console. ``managed_by``
says who owns a row: ``config`` rows follow the files at every start-up, ``console`` rows are
never touched by the sync (see :mod:`capabilities.appointments.sync`).

Bookings reference ``people.id`` with ``ON DELETE SET NULL``: erasing a person frees their
seats (an active booking counts only with a person) and keeps an anonymous row for the
statistics (no-show rate per Espace and motif).

No overbooking: a booking takes a row lock on the (Espace, day) agenda row first, then checks
the free places; partial unique indexes make a double booking of one staff member or one seat
impossible even if that rule were bypassed.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from store.base import Base, UTCDateTime

STATUSES = ("booked", "cancelled", "moved")
ATTENDANCE = ("unknown", "seen", "excused", "revoked", "noshow")
ACTIVE_SQL = "status = 'booked' AND person_id IS NOT NULL"
MANAGERS = ("config", "console")  # who owns an agenda row: the files or the console


class Espace(Base):
    """An Espace 20 000 emplois; a practical detail left ``None`` is unknown (never guessed)."""

    __tablename__ = "espaces"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    commune: Mapped[str] = mapped_column(String(60))
    active: Mapped[bool] = mapped_column(default=True)
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    opening_hours: Mapped[str | None] = mapped_column(String(200))
    access_notes: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    managed_by: Mapped[str] = mapped_column(String(10), default="config", server_default="config")


class Motif(Base):
    """What an appointment is for: duration, kind, capacity (collective), what to bring."""

    __tablename__ = "motifs"
    __table_args__ = (CheckConstraint("kind IN ('individual', 'collective')", name="kind"),)

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    label: Mapped[str] = mapped_column(String(80))
    duration_min: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    capacity: Mapped[int | None] = mapped_column(Integer)
    rsa: Mapped[bool] = mapped_column(default=False)
    physical: Mapped[bool] = mapped_column(default=True)
    bring: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)
    managed_by: Mapped[str] = mapped_column(String(10), default="config", server_default="config")


class OpeningPeriod(Base):
    """A weekly opening: individual appointments (``motif_id`` NULL) or a collective session.

    ``config_key`` names the file entry a ``config`` row came from (kept when the console takes
    the row over, so the sync knows it is handled); an inactive row is one the console removed.
    """

    __tablename__ = "opening_periods"
    __table_args__ = (Index("uq_opening_periods_config_key", "config_key", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    espace_id: Mapped[str] = mapped_column(ForeignKey("espaces.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday
    start: Mapped[time] = mapped_column(Time)
    end: Mapped[time] = mapped_column(Time)  # for a session: start + the motif's duration
    motif_id: Mapped[str | None] = mapped_column(ForeignKey("motifs.id", ondelete="CASCADE"))
    capacity: Mapped[int | None] = mapped_column(Integer)  # a session's own capacity
    motif_ids: Mapped[list[str]] = mapped_column(JSON, default=list)  # individual: [] = all
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    example: Mapped[bool] = mapped_column(default=True)  # placeholder hours, never stated
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    managed_by: Mapped[str] = mapped_column(String(10), default="config", server_default="config")
    config_key: Mapped[str | None] = mapped_column(String(160))


class PeriodStaff(Base):
    """Who is present during an opening period (shared ``staff`` table)."""

    __tablename__ = "period_staff"

    period_id: Mapped[int] = mapped_column(
        ForeignKey("opening_periods.id", ondelete="CASCADE"), primary_key=True
    )
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True
    )


class Closure(Base):
    """A closed day or part of a day (public holidays are closed without a row)."""

    __tablename__ = "closures"
    __table_args__ = (Index("uq_closures_config_key", "config_key", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    espace_id: Mapped[str] = mapped_column(ForeignKey("espaces.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    start: Mapped[time | None] = mapped_column(Time)
    end: Mapped[time | None] = mapped_column(Time)
    reason: Mapped[str] = mapped_column(String(120), default="")
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    managed_by: Mapped[str] = mapped_column(String(10), default="config", server_default="config")
    config_key: Mapped[str | None] = mapped_column(String(160))


class AgendaLock(Base):
    """One row per Espace and day: the row a booking locks before counting free places."""

    __tablename__ = "agenda_locks"

    espace_id: Mapped[str] = mapped_column(
        ForeignKey("espaces.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class Booking(Base):
    """A person's appointment. Active = ``booked`` with a person (erased people free seats)."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("status IN ('booked', 'cancelled', 'moved')", name="status"),
        CheckConstraint(
            "attendance IN ('unknown', 'seen', 'excused', 'revoked', 'noshow')", name="attendance"
        ),
        CheckConstraint("seat IS NULL OR seat >= 1", name="seat"),
        CheckConstraint("ends_at > starts_at", name="order"),
        Index("ix_bookings_espace_start", "espace_id", "starts_at"),
        Index(
            "uq_bookings_staff_start",
            "staff_id",
            "starts_at",
            unique=True,
            sqlite_where=text(ACTIVE_SQL + " AND staff_id IS NOT NULL"),
            postgresql_where=text(ACTIVE_SQL + " AND staff_id IS NOT NULL"),
        ),
        Index(
            "uq_bookings_seat",
            "espace_id",
            "motif_id",
            "starts_at",
            "seat",
            unique=True,
            sqlite_where=text(ACTIVE_SQL + " AND seat IS NOT NULL"),
            postgresql_where=text(ACTIVE_SQL + " AND seat IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    espace_id: Mapped[str] = mapped_column(ForeignKey("espaces.id"))
    motif_id: Mapped[str] = mapped_column(ForeignKey("motifs.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    seat: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="booked")
    attendance: Mapped[str] = mapped_column(String(10), default="unknown")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # "Je viens"
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[str | None] = mapped_column(String(20))  # person|reminder|staff
    moved_to_id: Mapped[int | None] = mapped_column(Integer)
    attendance_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance_by: Mapped[str | None] = mapped_column(String(64))


class WaitlistEntry(Base):
    """Someone who wants to be told when a place frees up (notified in order of arrival)."""

    __tablename__ = "waitlist"
    __table_args__ = (Index("ix_waitlist_motif", "motif_id", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    motif_id: Mapped[str] = mapped_column(ForeignKey("motifs.id", ondelete="CASCADE"))
    espace_id: Mapped[str | None] = mapped_column(ForeignKey("espaces.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default="waiting")  # waiting|notified|done
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")


class BookingContact(Base):
    """What a person gave while booking, for the Espace: a first name, and (only with their
    explicit yes) a phone number to call them on. One row per person, erased with them."""

    __tablename__ = "booking_contacts"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    first_name: Mapped[str | None] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164, core.phone
    phone_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
