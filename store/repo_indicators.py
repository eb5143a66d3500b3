"""The reads behind the weekly indicators: the message log, the hand-off requests and the
counsellor replies no channel delivered."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from store.db import Session
from store.models import HandoffRequest, MessageLog
from store.outbox import OutboxMessage

# A relay row ending so was never read by the person (local mode: no channel could deliver).
NOT_DELIVERED = ("skipped", "failed", "cancelled")

# id, person_id, created_at, direction, author, kind, intent, confidence
LogLine = tuple[int, int, datetime, str, str, str, str | None, float | None]


def log_since(session: Session, begin: datetime) -> Iterable[LogLine]:
    """Every message logged since ``begin``, as plain columns (streamed, not loaded whole)."""
    return session.execute(
        select(
            MessageLog.id,
            MessageLog.person_id,
            MessageLog.created_at,
            MessageLog.direction,
            MessageLog.author,
            MessageLog.kind,
            MessageLog.intent,
            MessageLog.confidence,
        ).where(MessageLog.created_at >= begin)
    ).tuples()


def requests_since(session: Session, begin: datetime) -> Iterable[HandoffRequest]:
    """Hand-off requests made since ``begin``."""
    return session.scalars(select(HandoffRequest).where(HandoffRequest.created_at >= begin))


def undelivered_replies(session: Session, begin: datetime) -> set[int]:
    """Ids of counsellor messages since ``begin`` whose relay row ended unsent (``relay:<id>``)."""
    keys = session.scalars(
        select(OutboxMessage.idempotency_key).where(
            OutboxMessage.rule == "relay",
            OutboxMessage.status.in_(NOT_DELIVERED),
            OutboxMessage.created_at >= begin,
        )
    )
    return {int(key.removeprefix("relay:")) for key in keys if key.removeprefix("relay:").isdigit()}
