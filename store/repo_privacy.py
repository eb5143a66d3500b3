"""The privacy capability's queries: what /mesdonnees counts about a person.

Erasure itself is the ORM's: deleting the :class:`store.models.Person` cascades (``ON DELETE
CASCADE``, foreign keys on in SQLite too) to everything that refers to them.
"""

from __future__ import annotations

from sqlalchemy import func, select

from store.db import Session
from store.models import HandoffRequest, MessageLog


def message_count(session: Session, person_id: int) -> int | None:
    """How many transcript rows we keep about the person."""
    return session.scalar(
        select(func.count()).select_from(MessageLog).where(MessageLog.person_id == person_id)
    )


def handoff_request_count(session: Session, person_id: int) -> int | None:
    """How many counsellor requests the person made (open or closed)."""
    return session.scalar(
        select(func.count())
        .select_from(HandoffRequest)
        .where(HandoffRequest.person_id == person_id)
    )
