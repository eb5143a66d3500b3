"""What the console's agenda pages and day view list: Espaces, motifs, periods, bookings.

The agenda's changes go through :mod:`capabilities.appointments.admin`; these are the
reads the pages show around them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select

from store.appointments import Booking, Closure, Espace, Motif, OpeningPeriod, PeriodStaff
from store.db import Session
from store.models import Person
from store.programme import Participant
from store.staff import Staff

# --- Espaces, motifs, staff ----------------------------------------------------------


def espaces_overview(session: Session) -> list[Espace]:
    """Every Espace, open ones first, by name."""
    return list(session.scalars(select(Espace).order_by(Espace.active.desc(), Espace.name)))


def espaces_by_name(session: Session) -> list[Espace]:
    """Every Espace by name (the choice in a period or closure form)."""
    return list(session.scalars(select(Espace).order_by(Espace.name)))


def motifs_in_order(session: Session) -> list[Motif]:
    """Every motif in the order the bot offers them."""
    return list(session.scalars(select(Motif).order_by(Motif.position, Motif.id)))


def active_motifs(session: Session) -> list[Motif]:
    """Motifs still offered, in the bot's order (a period can open only those)."""
    return list(
        session.scalars(
            select(Motif).where(Motif.active.is_(True)).order_by(Motif.position, Motif.id)
        )
    )


def motif_labels(session: Session) -> dict[str, str]:
    """Each motif's label by id."""
    return {m.id: m.label for m in session.scalars(select(Motif))}


def active_staff(session: Session) -> list[Staff]:
    """Active members by name: who can be present during a period."""
    return list(session.scalars(select(Staff).where(Staff.active.is_(True)).order_by(Staff.name)))


# --- weekly periods and closures -----------------------------------------------------


def active_periods(session: Session) -> list[OpeningPeriod]:
    """Weekly periods in force, per Espace, day and start."""
    return list(
        session.scalars(
            select(OpeningPeriod)
            .where(OpeningPeriod.active.is_(True))
            .order_by(OpeningPeriod.espace_id, OpeningPeriod.weekday, OpeningPeriod.start)
        )
    )


def period_staff(session: Session) -> list[PeriodStaff]:
    """Who is present during which period (every link)."""
    return list(session.scalars(select(PeriodStaff)))


def staff_of_period(session: Session, period_id: int) -> list[int]:
    """The staff ids present during one period."""
    return list(
        session.scalars(select(PeriodStaff.staff_id).where(PeriodStaff.period_id == period_id))
    )


def closures_from(session: Session, today: date) -> list[Closure]:
    """Closures in force from ``today`` on, by day and start."""
    return list(
        session.scalars(
            select(Closure)
            .where(Closure.active.is_(True), Closure.day >= today)
            .order_by(Closure.day, Closure.start)
        )
    )


# --- the day view --------------------------------------------------------------------


def excused_between(session: Session, start: datetime, end: datetime) -> list[Booking]:
    """Bookings cancelled as excused or revoked in advance: the day sheet still lists them."""
    return list(
        session.scalars(
            select(Booking).where(
                Booking.starts_at >= start,
                Booking.starts_at < end,
                Booking.status == "cancelled",
                Booking.attendance.in_(("excused", "revoked")),
            )
        )
    )


def display_names(session: Session, person_ids: Iterable[int]) -> dict[int, str | None]:
    """The name each person gave the bot (``None``: none given)."""
    return dict(
        session.execute(select(Person.id, Person.display_name).where(Person.id.in_(person_ids)))
        .tuples()
        .all()
    )


def participant_names(session: Session, person_ids: Iterable[int]) -> dict[int | None, str]:
    """The programme's name of each of these people who is a participant."""
    return dict(
        session.execute(
            select(Participant.person_id, Participant.name).where(
                Participant.person_id.in_(person_ids)
            )
        )
        .tuples()
        .all()
    )
