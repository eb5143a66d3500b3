"""The person's recent topics, for follow-up questions ("et le dimanche ?")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from store.db import Session
from store.models import MessageLog


def recent_inputs(
    session: Session, person_id: int, since: datetime, limit: int = 6
) -> list[tuple[str | None, str | None, float | None]]:
    """(intent, payload, confidence) of the person's messages since ``since``, newest first."""
    rows = session.execute(
        select(MessageLog.intent, MessageLog.payload, MessageLog.confidence)
        .where(
            MessageLog.person_id == person_id,
            MessageLog.direction == "in",
            MessageLog.created_at >= since,
        )
        .order_by(MessageLog.created_at.desc(), MessageLog.id.desc())
        .limit(limit)
    )
    return [(intent, payload, confidence) for intent, payload, confidence in rows]
