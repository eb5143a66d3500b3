"""The programme's part of the counsellor's day: open tasks and alerts, and marking them done.

The cadence (:mod:`.planning`), the check-in and the dispatcher store counsellor tasks
(``first_meeting_not_booked``, ``no_contact_this_week``, missed meetings, diagnoses due,
``meeting_requested``, ``situation_change``…). The console's "Aujourd'hui" page lists those due
by the end of today, alerts first; a counsellor marks their own done (an admin any).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from core.clock import PARIS
from store import repo_today
from store.db import Session


@dataclass
class TaskLine:
    """One open task as the day page shows it."""

    id: int
    kind: str  # task|alert
    rule: str
    reason: str
    due_at: datetime
    participant_id: int | None
    person_id: int | None
    name: str
    counsellor_id: int | None


def end_of_day(now: datetime) -> datetime:
    """Midnight after ``now``, Paris time, in UTC."""
    local = now.astimezone(PARIS).date() + timedelta(days=1)
    return datetime.combine(local, time(0), tzinfo=PARIS).astimezone(now.tzinfo)


def open_tasks(session: Session, counsellor_id: int | None, now: datetime) -> list[TaskLine]:
    """Open tasks due by tonight (one counsellor's, or all): alerts first, oldest first."""
    lines = [
        TaskLine(
            id=task.id,
            kind=task.kind,
            rule=task.rule,
            reason=task.reason,
            due_at=task.due_at,
            participant_id=task.participant_id,
            person_id=participant.person_id if participant else None,
            name=participant.name if participant else "",
            counsellor_id=task.counsellor_id,
        )
        for task, participant in repo_today.open_tasks(session, counsellor_id, end_of_day(now))
    ]
    lines.sort(key=lambda line: line.kind != "alert")  # stable: by due date within each
    return lines


def mark_done(session: Session, task_id: int, staff_id: int | None, now: datetime) -> bool:
    """Close a task; ``staff_id`` (``None``: an admin) must be its counsellor or it is shared."""
    task = repo_today.task(session, task_id)
    if task is None or task.done_at is not None:
        return False
    if staff_id is not None and task.counsellor_id not in (None, staff_id):
        return False
    task.done_at = now
    return True
