"""Hand-off state changes, shared by the bot, the staff group and the web console.

``bot`` → ``waiting`` (a request is open) → ``human`` (a counsellor took it or answered)
→ ``resolved`` (the counsellor closed it) → ``bot`` (the person wrote again). The person
may also go back to the bot at any time. Every change is recorded with who and when in
:class:`store.console_models.HandoffTransition`.
"""

from __future__ import annotations

from datetime import datetime

from core.messages import Reply
from store import repo_handoff
from store.console_models import HandoffTransition
from store.db import Session
from store.models import Conversation, HandoffRequest, MessageLog
from store.outbox import enqueue

HELD = ("waiting", "human")


def transition(
    session: Session,
    conversation: Conversation,
    to_state: str,
    *,
    at: datetime,
    by: str,
    reason: str | None = None,
) -> bool:
    """Move the conversation to ``to_state`` and record it; False when already there."""
    before = conversation.handoff or "bot"
    if before == to_state:
        return False
    conversation.handoff = to_state
    conversation.handoff_at = at
    if to_state in ("human", "resolved") and by.startswith(("staff:", "telegram:")):
        conversation.handoff_by = by
    session.add(
        HandoffTransition(
            person_id=conversation.person_id,
            at=at,
            from_state=before,
            to_state=to_state,
            by=by,
            reason=reason,
        )
    )
    return True


def open_requests(session: Session, person_id: int) -> list[HandoffRequest]:
    """The person's requests not closed yet (normally at most one)."""
    return repo_handoff.open_requests(session, person_id)


def close_requests(session: Session, person_id: int, at: datetime) -> None:
    """Close every open request of the person."""
    for request in open_requests(session, person_id):
        request.status = "closed"
        request.closed_at = at


def take(session: Session, conversation: Conversation, *, at: datetime, by: str) -> bool:
    """A counsellor takes a waiting conversation (or one held by a colleague: recorded too)."""
    for request in open_requests(session, conversation.person_id):
        request.status = "taken"
    holder = conversation.handoff_by
    changed = transition(session, conversation, "human", at=at, by=by, reason="taken")
    if not changed and holder != by:
        session.add(
            HandoffTransition(
                person_id=conversation.person_id,
                at=at,
                from_state="human",
                to_state="human",
                by=by,
                reason="taken",
            )
        )
        changed = True
    conversation.handoff_by = by
    return changed


def resolve(session: Session, conversation: Conversation, *, at: datetime, by: str) -> bool:
    """The counsellor closes the hand-off: the bot answers the person's next message."""
    if conversation.handoff not in HELD:
        return False
    close_requests(session, conversation.person_id, at)
    conversation.data = {}
    return transition(session, conversation, "resolved", at=at, by=by, reason="resolved")


def counsellor_reply(
    session: Session,
    conversation: Conversation,
    text: str,
    *,
    at: datetime,
    by: str,
    channel: str,
) -> int:
    """Log a counsellor's answer and plan its delivery (outbox, rule ``relay``)."""
    if conversation.handoff != "human" or conversation.handoff_by != by:
        take(session, conversation, at=at, by=by)
    entry = MessageLog(
        person_id=conversation.person_id,
        created_at=at,
        direction="out",
        author=("counsellor:" + by.removeprefix("staff:"))[:40],
        channel=channel,
        kind="text",
        text=text[:4096],
    )
    session.add(entry)
    session.flush()
    enqueue(
        session,
        key=f"relay:{entry.id}",
        person_id=conversation.person_id,
        rule="relay",
        replies=[Reply(text=text[:4096])],
        not_before=at,
        ignore_quiet_hours=True,
    )
    return entry.id
