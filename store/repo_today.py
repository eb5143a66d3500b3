"""The counsellor's day: open programme tasks and alerts (the queries behind "Aujourd'hui")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from store.db import Session
from store.programme import ContactEvent, CounsellorTask, Participant


def open_tasks(
    session: Session, counsellor_id: int | None, until: datetime
) -> list[tuple[CounsellorTask, Participant | None]]:
    """Tasks not done and due by ``until``, one counsellor's (``None``: everyone's)."""
    query = (
        select(CounsellorTask, Participant)
        .outerjoin(Participant, Participant.id == CounsellorTask.participant_id)
        .where(CounsellorTask.done_at.is_(None), CounsellorTask.due_at <= until)
        .order_by(CounsellorTask.due_at, CounsellorTask.id)
    )
    if counsellor_id is not None:
        query = query.where(CounsellorTask.counsellor_id == counsellor_id)
    return [(task, participant) for task, participant in session.execute(query).all()]


def task(session: Session, task_id: int) -> CounsellorTask | None:
    """One task by id."""
    return session.get(CounsellorTask, task_id)


def week_answers(session: Session, participant_ids: list[int], week: str) -> dict[int, str]:
    """Each participant's latest check-in answer of an ISO week (``ok``, ``free_text``…)."""
    if not participant_ids:
        return {}
    rows = session.execute(
        select(ContactEvent.participant_id, ContactEvent.answer)
        .where(
            ContactEvent.participant_id.in_(participant_ids),
            ContactEvent.kind == "checkin",
            ContactEvent.period == week,
        )
        .order_by(ContactEvent.occurred_at, ContactEvent.id)
    ).all()
    return {participant_id: answer or "" for participant_id, answer in rows}
