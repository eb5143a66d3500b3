"""Who a participant's programme meetings are with: their referent, if they are in the agenda."""

from __future__ import annotations

from sqlalchemy import select

from store.appointments import PeriodStaff
from store.db import Session
from store.programme import Participant
from store.staff import Staff

FINISHED = ("ended", "reoriented")


def referent_of(session: Session, person_id: int) -> int | None:
    """The referent counsellor (staff id) of the person's current participation, if any."""
    return session.scalars(
        select(Participant.counsellor_id)
        .where(Participant.person_id == person_id, Participant.status.not_in(FINISHED))
        .order_by(Participant.id.desc())
        .limit(1)
    ).first()


def in_agenda(session: Session, staff_id: int) -> bool:
    """Does this staff member have an opening period (so slots of their own)?"""
    return (
        session.scalars(
            select(PeriodStaff.staff_id).where(PeriodStaff.staff_id == staff_id)
        ).first()
        is not None
    )


def participation(session: Session, person_id: int) -> tuple[Participant, str | None] | None:
    """The person's current participation and their referent's name (staff cards)."""
    row = session.execute(
        select(Participant, Staff.name)
        .outerjoin(Staff, Staff.id == Participant.counsellor_id)
        .where(Participant.person_id == person_id, Participant.status.not_in(FINISHED))
        .order_by(Participant.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row is not None else None
