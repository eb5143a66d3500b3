"""The programme's rows the console shows: open caseloads, check-in answers, contacts."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from store.db import Session
from store.programme import ContactEvent, Participant


def open_participants(
    session: Session, statuses: Iterable[str], staff_id: int | None
) -> list[Participant]:
    """Participants in one of ``statuses`` (open ones), of one counsellor or everyone's."""
    query = select(Participant).where(Participant.status.in_(statuses))
    if staff_id is not None:
        query = query.where(Participant.counsellor_id == staff_id)
    return list(session.scalars(query))


def last_checkin(session: Session, participant_id: int) -> ContactEvent | None:
    """The participant's latest answer to the weekly check-in."""
    return session.scalars(
        select(ContactEvent)
        .where(ContactEvent.participant_id == participant_id, ContactEvent.kind == "checkin")
        .order_by(ContactEvent.occurred_at.desc(), ContactEvent.id.desc())
        .limit(1)
    ).first()


def recent_contacts(session: Session, participant_id: int, limit: int) -> list[ContactEvent]:
    """The participant's ``limit`` latest contacts (any kind), latest first."""
    return list(
        session.scalars(
            select(ContactEvent)
            .where(ContactEvent.participant_id == participant_id)
            .order_by(ContactEvent.occurred_at.desc(), ContactEvent.id.desc())
            .limit(limit)
        )
    )
