"""The plan capability's queries: the person's plan, its events, the weekly indicators."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import select

from store.db import Session
from store.plan import PersonalPlan, PlanEvent


def get(session: Session, person_id: int) -> PersonalPlan | None:
    """The person's plan, if they made one."""
    return session.scalar(select(PersonalPlan).where(PersonalPlan.person_id == person_id))


def plans_of(session: Session, person_ids: list[int]) -> dict[int, PersonalPlan]:
    """The plans of these people (the day view), by person id."""
    if not person_ids:
        return {}
    rows = session.scalars(select(PersonalPlan).where(PersonalPlan.person_id.in_(person_ids)))
    return {row.person_id: row for row in rows}


def save(
    session: Session,
    person_id: int,
    *,
    answers: dict[str, Any],
    steps: list[dict[str, Any]],
    notes: list[str],
    now: datetime,
) -> PersonalPlan:
    """Create or replace the person's plan; a new plan and its proposed steps are counted.

    A counsellor's corrections of answers the person gives again are dropped (the person's
    new answer is the latest word); the others stay visible.
    """
    row = get(session, person_id)
    if row is None:
        row = PersonalPlan(person_id=person_id, created_at=now, corrections={})
        session.add(row)
    kept = {k: v for k, v in (row.corrections or {}).items() if answers.get(k) == v.get("value")}
    row.answers, row.steps, row.notes, row.corrections = answers, steps, notes, kept
    row.updated_at = now
    session.add(PlanEvent(person_id=person_id, at=now, kind="made"))
    for step in steps:
        session.add(PlanEvent(person_id=person_id, at=now, kind="proposed", step=step["key"]))
    session.flush()
    return row


def taken(session: Session, person_id: int, step: str, now: datetime) -> bool:
    """A step of the plan was opened (card) or started (booking); counted once per step."""
    row = get(session, person_id)
    if row is None or step not in {s.get("key") for s in row.steps}:
        return False
    already = session.scalar(
        select(PlanEvent.id).where(
            PlanEvent.person_id == person_id,
            PlanEvent.kind == "taken",
            PlanEvent.step == step,
            PlanEvent.at >= row.updated_at,
        )
    )
    if already is None:
        session.add(PlanEvent(person_id=person_id, at=now, kind="taken", step=step))
    return already is None


def correct(
    session: Session, person_id: int, answer: str, value: Any, *, by: str, now: datetime
) -> PersonalPlan | None:
    """A counsellor corrects one answer; what the person said stays visible beside it."""
    row = get(session, person_id)
    if row is None:
        return None
    corrections = dict(row.corrections or {})
    previous = corrections.get(answer, {}).get("was", row.answers.get(answer))
    if value == previous:
        corrections.pop(answer, None)
    else:
        corrections[answer] = {"value": value, "was": previous, "by": by, "at": now.isoformat()}
    row.corrections = corrections
    session.flush()
    return row


def set_comment(session: Session, person_id: int, comment: str | None) -> PersonalPlan | None:
    """The counsellor's free note on the intake (``None`` clears it)."""
    row = get(session, person_id)
    if row is not None:
        row.comment = comment
        session.flush()
    return row


def weekly(session: Session, since: datetime) -> dict[str, Counter[str]]:
    """Events since ``since`` by ISO week (``2026-W49``): ``made``, and each step proposed/taken."""
    out: dict[str, Counter[str]] = {}
    rows = session.execute(
        select(PlanEvent.at, PlanEvent.kind, PlanEvent.step).where(PlanEvent.at >= since)
    )
    for at, kind, step in rows:
        year, week, _ = at.isocalendar()
        counter = out.setdefault(f"{year}-W{week:02d}", Counter())
        counter[kind] += 1
        if step:
            counter[f"{kind}:{step}"] += 1
    return out


def taken_steps(session: Session, person_id: int, since: datetime) -> set[str]:
    """The steps of the current plan the person opened or started."""
    rows = session.scalars(
        select(PlanEvent.step).where(
            PlanEvent.person_id == person_id, PlanEvent.kind == "taken", PlanEvent.at >= since
        )
    )
    return {step for step in rows if step}
