"""The hand-off queue: who waits for a human, who may open whom, assignments.

An admin sees every conversation; a counsellor the shared queue, the conversations they
hold, and their own participants (``owner_of``: the programme's referent counsellor of a
person, ``None`` when the person is not a participant).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from capabilities.handoff.staff_identity import label_of
from store import repo_console, repo_console_queue
from store.console_models import Assignment
from store.db import Session
from store.models import Conversation
from store.staff import Staff

OwnerOf = Callable[[Session, int], int | None]


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
    urgent: bool = False  # distress: first in the queue, highlighted
    preview: str = ""  # the person's latest words (or the message that raised the alert)
    consented: bool = True


PREVIEW_CHARS = 140
CHANNEL_NAMES = {"telegram": "Telegram", "local": "chat local", "web": "chat web", "sms": "SMS"}


def person_name(
    person_id: int, participant: str | None, given: str | None, channel: str | None
) -> str:
    """How staff recognise someone: the enrolment name, the name they gave, their channel."""
    if participant:
        return participant
    if given:
        return given
    if channel:
        return f"{CHANNEL_NAMES.get(channel, channel)} · n° {person_id}"
    return f"Personne n° {person_id}"


def preview_of(text: str) -> str:
    """One line, at most :data:`PREVIEW_CHARS` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[: PREVIEW_CHARS - 1] + "…"


def names_of(
    session: Session, person_ids: list[int], given: dict[int, str | None]
) -> dict[int, str]:
    """:func:`person_name` for many people in three queries."""
    participants = repo_console_queue.participant_names(session, person_ids)
    channels = repo_console_queue.channels_of(session, person_ids)
    return {
        pid: person_name(pid, participants.get(pid), given.get(pid), channels.get(pid))
        for pid in person_ids
    }


def holder_id(conversation: Conversation | None) -> int | None:
    """The staff id holding the conversation (``handoff_by = staff:<id>``)."""
    if conversation is None or not (conversation.handoff_by or "").startswith("staff:"):
        return None
    raw = (conversation.handoff_by or "").removeprefix("staff:")
    return int(raw) if raw.isdigit() else None


def conversation_of(session: Session, person_id: int) -> Conversation | None:
    """The person's conversation, whose hand-off state the console changes."""
    return repo_console_queue.conversation_of(session, person_id)


def queue(session: Session, owner_of: OwnerOf, *, staff_id: int | None) -> list[QueueRow]:
    """People in distress first, then waiting conversations and those held, oldest first."""
    names = repo_console.staff_names(session)
    rows = repo_console_queue.handed_off(session)
    person_ids = [conversation.person_id for conversation, _person in rows]
    requests = repo_console_queue.open_requests_of(session, person_ids)
    words = repo_console_queue.last_words(session, person_ids)
    who = names_of(session, person_ids, {p.id: p.display_name for _c, p in rows})
    assigned = repo_console_queue.assignees(session, person_ids)
    out: list[QueueRow] = []
    for conversation, person in rows:
        owner = owner_of(session, person.id)
        holder = holder_id(conversation)
        request = requests.get(person.id)
        if staff_id is not None and conversation.handoff == "human" and holder != staff_id:
            continue  # a counsellor sees the shared queue and their own conversations
        if staff_id is not None and owner is not None and owner != staff_id:
            continue
        out.append(
            QueueRow(
                person_id=person.id,
                name=who[person.id],
                state=conversation.handoff,
                since=conversation.handoff_at or conversation.updated_at,
                reason=request.reason if request else "",
                urgent=request is not None and request.reason == "distress",
                preview=preview_of(words.get(person.id) or (request.summary if request else "")),
                consented=person.consent == "given",
                participant=owner is not None,
                assigned_to=names.get(assigned.get(person.id, 0), ""),
                held_by=names.get(holder or 0)
                or label_of(session, conversation.handoff_by or "")
                or conversation.handoff_by
                or "",
            )
        )
    out.sort(key=lambda row: not row.urgent)  # stable: oldest first within each group
    return out


def can_open(session: Session, owner_of: OwnerOf, staff: Staff, person_id: int) -> bool:
    """Admins see everyone; a counsellor their participants, the shared queue, their holds."""
    if staff.role == "admin":
        return True
    owner = owner_of(session, person_id)
    if owner is not None:
        return owner == staff.id
    conversation = repo_console_queue.conversation_of(session, person_id)
    if conversation is None:
        return False
    holder = holder_id(conversation)
    if holder == staff.id:
        return True
    assignment = session.get(Assignment, person_id)
    if assignment is not None:
        return assignment.staff_id == staff.id
    return conversation.handoff == "waiting" or (conversation.handoff == "human" and holder is None)


def release(session: Session, person_id: int) -> None:
    """The person is taken, answered or resolved: their assignment no longer applies."""
    repo_console_queue.drop_assignment(session, person_id)


def assign(session: Session, person_id: int, staff_id: int, now: datetime, by: str) -> None:
    """Assign a waiting person to one counsellor (replacing an earlier assignment)."""
    session.merge(
        Assignment(person_id=person_id, staff_id=staff_id, assigned_at=now, assigned_by=by)
    )


def round_robin(session: Session, now: datetime, by: str) -> int:
    """Assign every unassigned waiting person to active counsellors in turn."""
    counsellors = repo_console_queue.counsellors_in_turn(session)
    if not counsellors:
        return 0
    waiting = repo_console_queue.waiting(session)
    load = {member.id: 0 for member in counsellors}
    for row in repo_console_queue.all_assignments(session):
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
