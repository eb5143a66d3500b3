"""The figures behind the /metrics gauges, read from the database when they are scraped.

Small aggregate queries on indexed columns: the outbox by status and rule, the open hand-off
requests, the weekly check-ins sent and answered. Nothing personal leaves here: counts and
ages only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from store.db import Session
from store.models import HandoffRequest
from store.outbox import OutboxMessage
from store.planning.set_rules import WEEKLY_CHECKIN
from store.programme import ContactEvent

CHECKIN_WINDOW = timedelta(days=28)


@dataclass
class Figures:
    """What the gauges show, read in one transaction."""

    pending_by_rule: dict[str, int] = field(default_factory=dict)
    due_by_rule: dict[str, int] = field(default_factory=dict)
    oldest_due: datetime | None = None
    waiting: int = 0
    oldest_waiting: datetime | None = None
    checkins_sent: int = 0
    checkins_answered: int = 0


def read_figures(session: Session, now: datetime) -> Figures:
    """The outbox, the counsellor queue and the check-in answers as of ``now``."""
    figures = Figures()
    pending = OutboxMessage.status.in_(("pending", "claimed"))
    for rule, count in session.execute(
        select(OutboxMessage.rule, func.count()).where(pending).group_by(OutboxMessage.rule)
    ):
        figures.pending_by_rule[rule] = int(count)
    due = pending & (OutboxMessage.not_before <= now)
    for rule, count in session.execute(
        select(OutboxMessage.rule, func.count()).where(due).group_by(OutboxMessage.rule)
    ):
        figures.due_by_rule[rule] = int(count)
    figures.oldest_due = session.scalar(select(func.min(OutboxMessage.not_before)).where(due))
    is_open = HandoffRequest.status == "open"
    figures.waiting = int(
        session.scalar(select(func.count(func.distinct(HandoffRequest.person_id))).where(is_open))
        or 0
    )
    figures.oldest_waiting = session.scalar(
        select(func.min(HandoffRequest.created_at)).where(is_open)
    )
    since = now - CHECKIN_WINDOW
    figures.checkins_sent = int(
        session.scalar(
            select(func.count()).where(
                OutboxMessage.rule == WEEKLY_CHECKIN,
                OutboxMessage.status == "sent",
                OutboxMessage.sent_at >= since,
            )
        )
        or 0
    )
    answers = (  # one per person and week, however many buttons they pressed
        select(ContactEvent.person_id, ContactEvent.period)
        .where(
            ContactEvent.kind == "checkin",
            ContactEvent.person_id.is_not(None),
            ContactEvent.created_at >= since,
        )
        .distinct()
        .subquery()
    )
    figures.checkins_answered = int(session.scalar(select(func.count()).select_from(answers)) or 0)
    return figures
