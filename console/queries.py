"""Database reads of the console: the queue, a transcript, who may open whom, the audit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from capabilities.handoff.staff_identity import label_of
from console.integrations import Integrations
from store.console_models import Assignment, AuditEntry
from store.models import Conversation, HandoffRequest, MessageLog, Person
from store.staff import Staff


@dataclass
class QueueRow:
    """A conversation waiting for (or held by) a human."""

    person_id: int
    name: str
    state: str
    since: datetime
    reason: str
    participant: bool
    assigned_to: str
    held_by: str


def staff_names(session: Session) -> dict[int, str]:
    """Names of every member of staff by id."""
    return {row.id: row.name for row in session.scalars(select(Staff))}


def who_labels(session: Session, keys: Iterable[str]) -> dict[str, str]:
    """How to name the authors of a transcript and of the state history.

    ``counsellor:<id>``/``staff:<id>`` → the staff name; ``telegram:<user id>`` → the linked
    member's name, else "first name @username (Telegram id)"; older ``telegram:<first name>``
    rows keep their first name.
    """
    names = staff_names(session)
    labels: dict[str, str] = {}
    for key in set(keys):
        raw = key.removeprefix("counsellor:")
        if raw.startswith("staff:"):
            raw = raw.removeprefix("staff:")
        if raw.isdigit():
            labels[key] = names.get(int(raw), f"Conseiller n° {raw}")
        elif raw.startswith("telegram:"):
            labels[key] = label_of(session, raw) or f"{raw.removeprefix('telegram:')} (Telegram)"
    return labels


def holder_id(conversation: Conversation | None) -> int | None:
    """The staff id holding the conversation (``handoff_by = staff:<id>``)."""
    if conversation is None or not (conversation.handoff_by or "").startswith("staff:"):
        return None
    raw = (conversation.handoff_by or "").removeprefix("staff:")
    return int(raw) if raw.isdigit() else None


def queue(session: Session, integrations: Integrations, *, staff_id: int | None) -> list[QueueRow]:
    """Waiting conversations (shared) and those held by a human, oldest first."""
    names = staff_names(session)
    rows = session.execute(
        select(Conversation, Person)
        .join(Person, Person.id == Conversation.person_id)
        .where(Conversation.handoff.in_(("waiting", "human")))
        .order_by(Conversation.handoff_at)
    ).all()
    person_ids = [conversation.person_id for conversation, _person in rows]
    reasons: dict[int, str] = {}
    if person_ids:
        for request in session.scalars(
            select(HandoffRequest)
            .where(HandoffRequest.person_id.in_(person_ids), HandoffRequest.status != "closed")
            .order_by(HandoffRequest.created_at)
        ):
            reasons[request.person_id] = request.reason
    assigned = {
        row.person_id: row.staff_id
        for row in session.scalars(select(Assignment).where(Assignment.person_id.in_(person_ids)))
    }
    out: list[QueueRow] = []
    for conversation, person in rows:
        owner = integrations.owner_of(session, person.id)
        holder = holder_id(conversation)
        if staff_id is not None and conversation.handoff == "human" and holder != staff_id:
            continue  # a counsellor sees the shared queue and their own conversations
        if staff_id is not None and owner is not None and owner != staff_id:
            continue
        out.append(
            QueueRow(
                person_id=person.id,
                name=person.display_name or f"Personne n° {person.id}",
                state=conversation.handoff,
                since=conversation.handoff_at or conversation.updated_at,
                reason=reasons.get(person.id, ""),
                participant=owner is not None,
                assigned_to=names.get(assigned.get(person.id, 0), ""),
                held_by=names.get(holder or 0)
                or label_of(session, conversation.handoff_by or "")
                or conversation.handoff_by
                or "",
            )
        )
    return out


def can_open(session: Session, integrations: Integrations, staff: Staff, person_id: int) -> bool:
    """Admins see everyone; a counsellor their participants, the shared queue, their holds."""
    if staff.role == "admin":
        return True
    owner = integrations.owner_of(session, person_id)
    if owner is not None:
        return owner == staff.id
    conversation = session.scalars(
        select(Conversation).where(Conversation.person_id == person_id)
    ).first()
    if conversation is None:
        return False
    holder = holder_id(conversation)
    if holder == staff.id:
        return True
    assignment = session.get(Assignment, person_id)
    if assignment is not None:
        return assignment.staff_id == staff.id
    return conversation.handoff == "waiting" or (conversation.handoff == "human" and holder is None)


def transcript(session: Session, person_id: int, limit: int = 2000) -> list[MessageLog]:
    """The person's messages, oldest first (the last ``limit``)."""
    rows = list(
        session.scalars(
            select(MessageLog)
            .where(MessageLog.person_id == person_id)
            .order_by(MessageLog.created_at.desc(), MessageLog.id.desc())
            .limit(limit)
        )
    )
    rows.reverse()
    return rows


def audit(
    session: Session, staff: Staff, action: str, target: str, now: datetime, person_id: int | None
) -> None:
    """Record who viewed, answered or exported what."""
    session.add(
        AuditEntry(
            at=now,
            staff_id=staff.id,
            actor=staff.name,
            action=action,
            target=target[:120],
            person_id=person_id,
        )
    )


def round_robin(session: Session, now: datetime, by: str) -> int:
    """Assign every unassigned waiting person to active counsellors in turn."""
    counsellors = list(
        session.scalars(
            select(Staff)
            .where(Staff.active, Staff.role.in_(("counsellor", "admin")))
            .order_by(Staff.id)
        )
    )
    if not counsellors:
        return 0
    waiting = list(
        session.scalars(
            select(Conversation)
            .where(Conversation.handoff == "waiting")
            .order_by(Conversation.handoff_at)
        )
    )
    load = {member.id: 0 for member in counsellors}
    for row in session.scalars(select(Assignment)):
        if row.staff_id in load:
            load[row.staff_id] += 1
    done = 0
    for conversation in waiting:
        if session.get(Assignment, conversation.person_id) is not None:
            continue
        target = min(load, key=lambda member_id: (load[member_id], member_id))
        session.add(
            Assignment(
                person_id=conversation.person_id, staff_id=target, assigned_at=now, assigned_by=by
            )
        )
        load[target] += 1
        done += 1
    return done
