"""The reads behind the weekly indicators: the message log and the hand-off requests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from store.db import Session
from store.models import HandoffRequest, MessageLog

# person_id, created_at, direction, author, kind, intent, confidence
LogLine = tuple[int, datetime, str, str, str, str | None, float | None]


def log_since(session: Session, begin: datetime) -> Iterable[LogLine]:
    """Every message logged since ``begin``, as plain columns (streamed, not loaded whole)."""
    return session.execute(
        select(
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
