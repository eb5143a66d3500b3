"""« Faire le point »: the person's answers and plan, and the anonymous events of the indicators.

A :class:`PersonalPlan` is personal data: one row per person, deleted with them (``ON DELETE
CASCADE``). A :class:`PlanEvent` (plan made, step proposed, step taken) is kept for the
weekly indicators; erasing the person empties its ``person_id`` (``SET NULL``), so it no
longer says who.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from store.base import Base, UTCDateTime


class PersonalPlan(Base):
    """The answers (only what the plan needs), the steps proposed, the counsellor's corrections."""

    __tablename__ = "personal_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # [{"key": "book:conseil", "espace": "gare" | None}, ...] in the order shown
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)  # contradictions (French)
    # {answer: {"value": ..., "was": ..., "by": "<email>", "at": "<iso>"}}
    corrections: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    comment: Mapped[str | None] = mapped_column(String(500))  # the counsellor's note
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlanEvent(Base):
    """One fact for the indicators: ``made`` (a plan), ``proposed`` / ``taken`` (a step)."""

    __tablename__ = "plan_events"
    __table_args__ = (Index("ix_plan_events_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(10))  # made|proposed|taken
    step: Mapped[str | None] = mapped_column(String(64))  # card:<id> | book:<motif>
