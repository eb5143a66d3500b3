"""The agenda as the bot reads it: active motifs, periods, staff and closures; who is busy.

The slot computation (``capabilities/appointments/slots.py``) is pure; these are the loads
that feed it — one query per table for the agenda, one for the bookings of a time range.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Protocol, cast

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from store.appointments import Booking, Closure, Espace, Motif, OpeningPeriod, PeriodStaff
from store.repo_appointments import active
from store.staff import Staff


class BookingSpan(Protocol):
    """One active booking as the occupancy sees it (a result row)."""

    @property
    def id(self) -> int: ...
    @property
    def espace_id(self) -> str: ...
    @property
    def motif_id(self) -> str: ...
    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime: ...
    @property
    def staff_id(self) -> int | None: ...
    @property
    def seat(self) -> int | None: ...


def database_key(session: Session) -> str:
    """Which database the session talks to (its URL without the password): a cache key."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    return engine.url.render_as_string(hide_password=True)


def active_motifs(session: Session) -> list[Motif]:
    """Motifs that can be booked (any order)."""
    return list(session.scalars(select(Motif).where(Motif.active.is_(True))))


def present_staff(session: Session) -> list[tuple[int, int]]:
    """``(period_id, staff_id)`` of every active member of staff present in a period."""
    present = select(PeriodStaff.period_id, PeriodStaff.staff_id).join(
        Staff, Staff.id == PeriodStaff.staff_id
    )
    return [
        (period_id, staff_id)
        for period_id, staff_id in session.execute(present.where(Staff.active.is_(True)))
    ]


def open_periods(session: Session) -> list[OpeningPeriod]:
    """Active periods of open Espaces, in id order."""
    open_espaces = select(Espace.id).where(Espace.active.is_(True))
    periods = select(OpeningPeriod).where(
        OpeningPeriod.active.is_(True), OpeningPeriod.espace_id.in_(open_espaces)
    )
    return list(session.scalars(periods.order_by(OpeningPeriod.id)))


def example_espace_ids(session: Session) -> set[str]:
    """Espaces whose active opening periods include example (placeholder) hours."""
    rows = select(OpeningPeriod.espace_id).where(
        OpeningPeriod.active.is_(True), OpeningPeriod.example.is_(True)
    )
    return set(session.scalars(rows.distinct()))


def active_closures(session: Session) -> list[Closure]:
    """Closed days (or parts of days) in force."""
    return list(session.scalars(select(Closure).where(Closure.active.is_(True))))


def busy(
    session: Session, start: datetime, end: datetime, espace_ids: list[str] | None = None
) -> Iterator[BookingSpan]:
    """Active bookings overlapping ``[start, end)`` (of these Espaces, when given)."""
    query = select(
        Booking.id,
        Booking.espace_id,
        Booking.motif_id,
        Booking.starts_at,
        Booking.ends_at,
        Booking.staff_id,
        Booking.seat,
    ).where(active(), Booking.starts_at < end, Booking.ends_at > start)
    if espace_ids is not None:
        query = query.where(Booking.espace_id.in_(espace_ids))
    return cast(Iterator[BookingSpan], iter(session.execute(query)))


# --- what the conversation offers -----------------------------------------------------


def motifs_in_order(session: Session) -> list[Motif]:
    """Bookable motifs, in the configured order."""
    return list(
        session.scalars(select(Motif).where(Motif.active.is_(True)).order_by(Motif.position))
    )


def open_espaces(session: Session) -> list[Espace]:
    """Open Espaces (any order)."""
    return list(session.scalars(select(Espace).where(Espace.active.is_(True))))


def open_espaces_by_name(session: Session) -> list[Espace]:
    """Open Espaces, by name (the practical details the bot gives)."""
    return list(
        session.scalars(select(Espace).where(Espace.active.is_(True)).order_by(Espace.name))
    )


def open_espace_ids(session: Session) -> list[str]:
    """The ids of the open Espaces."""
    return list(session.scalars(select(Espace.id).where(Espace.active.is_(True))))


def programme_motif(session: Session) -> Motif | None:
    """The first active individual motif of the RSA programme (its meeting with a counsellor)."""
    return session.scalars(
        select(Motif)
        .where(Motif.active.is_(True), Motif.rsa.is_(True), Motif.kind == "individual")
        .order_by(Motif.position, Motif.id)
        .limit(1)
    ).first()
