"""The agenda as admins and the file sync edit it: Espaces, motifs, periods, closures, staff.

The checks and the writes themselves stay in ``capabilities/appointments/admin*.py`` and
``sync.py`` (unit of work on ORM rows); these are their reads and bulk changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from store.appointments import Closure, Espace, Motif, OpeningPeriod, PeriodStaff
from store.staff import Staff

# --- periods --------------------------------------------------------------------------


def period_staff_ids(session: Session, period_id: int) -> list[int]:
    """Who is present in a period (any order)."""
    return list(
        session.scalars(select(PeriodStaff.staff_id).where(PeriodStaff.period_id == period_id))
    )


def capacity_following_periods(session: Session, motif_id: str) -> list[OpeningPeriod]:
    """Active sessions of a motif whose capacity is the motif's (no capacity of their own)."""
    return list(
        session.scalars(
            select(OpeningPeriod).where(
                OpeningPeriod.motif_id == motif_id,
                OpeningPeriod.active.is_(True),
                OpeningPeriod.capacity.is_(None),
            )
        )
    )


def periods_of_motif(session: Session, motif_id: str) -> list[OpeningPeriod]:
    """Every period (active or not) that is a session of this motif."""
    return list(session.scalars(select(OpeningPeriod).where(OpeningPeriod.motif_id == motif_id)))


def other_active_periods(session: Session, period_id: int | None) -> list[OpeningPeriod]:
    """Active periods other than ``period_id`` (every active one when ``None``)."""
    return list(
        session.scalars(
            select(OpeningPeriod).where(
                OpeningPeriod.active.is_(True), OpeningPeriod.id != (period_id or 0)
            )
        )
    )


def clear_period_staff(session: Session, period_id: int) -> None:
    """Nobody is present in the period any more (before writing who is)."""
    session.execute(delete(PeriodStaff).where(PeriodStaff.period_id == period_id))


def all_periods(session: Session) -> list[OpeningPeriod]:
    """Every period and session, active or not, whoever manages it."""
    return list(session.scalars(select(OpeningPeriod)))


# --- motifs, staff, Espaces -----------------------------------------------------------


def last_motif_position(session: Session) -> int | None:
    """The highest motif position (a new motif goes after it)."""
    return session.scalar(select(func.max(Motif.position)))


def active_individual_motifs(session: Session) -> list[Motif]:
    """Active motifs of individual appointments."""
    return list(
        session.scalars(select(Motif).where(Motif.kind == "individual", Motif.active.is_(True)))
    )


def motif_durations(session: Session) -> dict[str, int]:
    """Every motif's duration in minutes, by id."""
    return {m: d for m, d in session.execute(select(Motif.id, Motif.duration_min))}


def all_motifs(session: Session) -> list[Motif]:
    """Every motif, active or not."""
    return list(session.scalars(select(Motif)))


def all_espaces(session: Session) -> list[Espace]:
    """Every Espace, open or not."""
    return list(session.scalars(select(Espace)))


def all_staff(session: Session) -> list[Staff]:
    """Every member of staff, active or not."""
    return list(session.scalars(select(Staff)))


def staff_by_ids(session: Session, staff_ids: Iterable[int]) -> dict[int, Staff]:
    """These members of staff, by id (unknown ids are missing)."""
    return {s.id: s for s in session.scalars(select(Staff).where(Staff.id.in_(staff_ids)))}


def staff_by_email(session: Session, email: str) -> Staff | None:
    """The member of staff with this e-mail address, if any."""
    return session.scalars(select(Staff).where(Staff.email == email)).one_or_none()


# --- closures -------------------------------------------------------------------------


def same_closure(session: Session, espace_id: str, day: date, start: time | None) -> Closure | None:
    """An active closure of that Espace and day starting at ``start`` (``None``: all day)."""
    return session.scalars(
        select(Closure).where(
            Closure.espace_id == espace_id,
            Closure.day == day,
            Closure.active.is_(True),
            Closure.start.is_(None) if start is None else Closure.start == start,
        )
    ).first()


def all_closures(session: Session) -> list[Closure]:
    """Every closure, active or not, whoever manages it."""
    return list(session.scalars(select(Closure)))
