"""The hand-off queue as the console reads it: waiting people, assignments, transcripts.

The queries behind :mod:`capabilities.handoff.queue` and
:mod:`capabilities.handoff.transcript`; the capability decides who sees and takes what.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select

from store.console_models import Assignment, HandoffTransition, StaffNote
from store.db import Session
from store.models import ChannelAccount, Conversation, HandoffRequest, MessageLog, Person
from store.outbox import OutboxMessage
from store.programme import Participant
from store.staff import Staff


def conversation_of(session: Session, person_id: int) -> Conversation | None:
    """The person's conversation (its hand-off state), if they ever wrote."""
    return session.scalars(select(Conversation).where(Conversation.person_id == person_id)).first()


def handed_off(session: Session) -> list[tuple[Conversation, Person]]:
    """Conversations waiting for or held by a human, with their person, oldest first."""
    rows = session.execute(
        select(Conversation, Person)
        .join(Person, Person.id == Conversation.person_id)
        .where(Conversation.handoff.in_(("waiting", "human")))
        .order_by(Conversation.handoff_at)
    ).all()
    return [(conversation, person) for conversation, person in rows]


def open_requests_of(session: Session, person_ids: list[int]) -> dict[int, HandoffRequest]:
    """Each person's latest request not closed yet (reason, when, the message it keeps)."""
    found: dict[int, HandoffRequest] = {}
    if person_ids:
        for request in session.scalars(
            select(HandoffRequest)
            .where(HandoffRequest.person_id.in_(person_ids), HandoffRequest.status != "closed")
            .order_by(HandoffRequest.created_at, HandoffRequest.id)
        ):
            found[request.person_id] = request
    return found


def last_words(session: Session, person_ids: list[int]) -> dict[int, str]:
    """Each person's latest non-empty message (what the queue previews)."""
    if not person_ids:
        return {}
    latest = (
        select(MessageLog.person_id, func.max(MessageLog.id).label("last_id"))
        .where(
            MessageLog.person_id.in_(person_ids),
            MessageLog.direction == "in",
            MessageLog.text != "",
        )
        .group_by(MessageLog.person_id)
        .subquery()
    )
    rows = session.execute(
        select(MessageLog.person_id, MessageLog.text).join(
            latest, MessageLog.id == latest.c.last_id
        )
    ).all()
    return {person_id: text or "" for person_id, text in rows}


def channels_of(session: Session, person_ids: list[int]) -> dict[int, str]:
    """The channel each person writes from (the name shown when nothing else is known)."""
    if not person_ids:
        return {}
    rows = session.execute(
        select(ChannelAccount.person_id, ChannelAccount.channel)
        .where(ChannelAccount.person_id.in_(person_ids))
        .order_by(ChannelAccount.id)
    ).all()
    return {person_id: channel for person_id, channel in rows}


def deliveries(session: Session, message_ids: list[int]) -> dict[int, tuple[str, str]]:
    """For counsellor messages: the outbox row's status and last error (key ``relay:<id>``)."""
    if not message_ids:
        return {}
    keys = {f"relay:{message_id}": message_id for message_id in message_ids}
    rows = session.execute(
        select(OutboxMessage.idempotency_key, OutboxMessage.status, OutboxMessage.last_error).where(
            OutboxMessage.idempotency_key.in_(list(keys))
        )
    ).all()
    return {keys[key]: (status, error or "") for key, status, error in rows}


def participant_names(session: Session, person_ids: list[int]) -> dict[int, str]:
    """The name the counsellor entered at enrolment, for people who are participants."""
    if not person_ids:
        return {}
    rows = session.execute(
        select(Participant.person_id, Participant.name).where(Participant.person_id.in_(person_ids))
    ).all()
    return {person_id: name for person_id, name in rows if person_id is not None and name}


def assignees(session: Session, person_ids: list[int]) -> dict[int, int]:
    """Who each of these people is assigned to (staff id), when assigned."""
    return {
        row.person_id: row.staff_id
        for row in session.scalars(select(Assignment).where(Assignment.person_id.in_(person_ids)))
    }


def all_assignments(session: Session) -> list[Assignment]:
    """Every current assignment (round-robin counts each counsellor's load)."""
    return list(session.scalars(select(Assignment)))


def drop_assignment(session: Session, person_id: int) -> None:
    """Forget whom the person was assigned to (taken, answered or resolved)."""
    session.execute(delete(Assignment).where(Assignment.person_id == person_id))


def counsellors_in_turn(session: Session) -> list[Staff]:
    """Active counsellors and admins by id: the round-robin's order."""
    return list(
        session.scalars(
            select(Staff)
            .where(Staff.active, Staff.role.in_(("counsellor", "admin")))
            .order_by(Staff.id)
        )
    )


def waiting(session: Session) -> list[Conversation]:
    """Conversations waiting for a human, oldest first."""
    return list(
        session.scalars(
            select(Conversation)
            .where(Conversation.handoff == "waiting")
            .order_by(Conversation.handoff_at)
        )
    )


def last_messages(session: Session, person_id: int, limit: int) -> list[MessageLog]:
    """The person's ``limit`` latest messages, latest first."""
    return list(
        session.scalars(
            select(MessageLog)
            .where(MessageLog.person_id == person_id)
            .order_by(MessageLog.created_at.desc(), MessageLog.id.desc())
            .limit(limit)
        )
    )


def transitions(session: Session, person_id: int, limit: int) -> list[HandoffTransition]:
    """The person's latest hand-off state changes, latest first."""
    return list(
        session.scalars(
            select(HandoffTransition)
            .where(HandoffTransition.person_id == person_id)
            .order_by(HandoffTransition.at.desc())
            .limit(limit)
        )
    )


def notes(session: Session, person_id: int) -> list[StaffNote]:
    """Staff's private notes about the person, latest first."""
    return list(
        session.scalars(
            select(StaffNote)
            .where(StaffNote.person_id == person_id)
            .order_by(StaffNote.created_at.desc())
        )
    )
