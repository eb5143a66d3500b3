"""The console's audit log: who viewed, answered, exported or changed what."""

from __future__ import annotations

from datetime import datetime

from store.console_models import AuditEntry
from store.db import Session
from store.staff import Staff


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
