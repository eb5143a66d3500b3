"""The RSA programme's queries: participants, invitations, contact events, staff names.

Used by ``capabilities.programme`` (enrolment, check-in, report), the scheduler (retention,
unreachable participants) and ``python -m scheduler``. The planner's set-based SQL is in
:mod:`store.planning`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from store.models import Conversation
from store.programme import CONTACT_KINDS, ContactEvent, Invitation, Participant
from store.staff import Staff


def revoke_invitations(session: Session, participant_id: int, now: datetime) -> None:
    """Earlier unused invitations of a participant stop working."""
    session.execute(
        update(Invitation)
        .where(
            Invitation.participant_id == participant_id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )


def invitation_by_hash(session: Session, code_hash: str) -> Invitation | None:
    """The invitation behind a code (looked up by its hash)."""
    return session.scalars(
        select(Invitation).where(Invitation.code_hash == code_hash)
    ).one_or_none()


def use_invitation(session: Session, invitation_id: int, now: datetime) -> bool:
    """Mark an invitation used, unless someone used it a moment ago (then False)."""
    claimed = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation_id, Invitation.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return getattr(claimed, "rowcount", 0) == 1


def participant_of(session: Session, person_id: int) -> Participant | None:
    """The participant linked to a person, if any."""
    return session.scalars(
        select(Participant).where(Participant.person_id == person_id)
    ).one_or_none()


def person_contact_count(session: Session, person_id: int) -> int:
    """How many contact events (check-in answers) a person told the bot."""
    answers = session.scalar(
        select(func.count()).select_from(ContactEvent).where(ContactEvent.person_id == person_id)
    )
    return int(answers or 0)


def checkin_answered(session: Session, participant_id: int, week: str, answer: str) -> bool:
    """Was this answer to this week's check-in already recorded?"""
    already = session.scalars(
        select(ContactEvent.id).where(
            ContactEvent.participant_id == participant_id,
            ContactEvent.period == week,
            ContactEvent.answer == answer,
        )
    ).first()
    return already is not None


def conversation_of(session: Session, person_id: int) -> Conversation | None:
    """The person's conversation (a sent check-in waits for its answer there)."""
    return session.scalars(
        select(Conversation).where(Conversation.person_id == person_id)
    ).one_or_none()


def staff_names(session: Session) -> dict[int, str]:
    """Every staff member's name, by id."""
    return dict(session.execute(select(Staff.id, Staff.name)).tuples().all())


def all_staff(session: Session) -> list[Staff]:
    """Every staff member, by id."""
    return list(session.scalars(select(Staff).order_by(Staff.id)))


def contact_times(session: Session, now: datetime) -> Iterator[tuple[int, datetime]]:
    """``(participant_id, occurred_at)`` of every contact that counts as the week's, up to
    ``now``."""
    yield from session.execute(
        select(ContactEvent.participant_id, ContactEvent.occurred_at).where(
            ContactEvent.kind.in_(CONTACT_KINDS), ContactEvent.occurred_at <= now
        )
    ).tuples()


def purge_invitations(session: Session, old: datetime) -> int:
    """Delete invitations used, revoked or expired before ``old``; returns rows deleted."""
    dead = session.execute(
        delete(Invitation).where(
            or_(Invitation.used_at < old, Invitation.revoked_at < old),
            Invitation.expires_at < old,
        )
    )
    expired = session.execute(
        delete(Invitation).where(Invitation.used_at.is_(None), Invitation.expires_at < old)
    )
    return sum(int(getattr(r, "rowcount", 0) or 0) for r in (dead, expired))
