"""The RSA programme: participants, their invitations, contact history and counsellor tasks.

Erasure (``/supprimer``) deletes the ``people`` row. What the *person* told the bot (check-in
answers, free text) references ``people.id`` with ``ON DELETE CASCADE`` and disappears with
them. The participant record itself belongs to the counsellor's caseload (it exists before any
Telegram account is linked and is reported to the Département), so ``participants.person_id``
is ``ON DELETE SET NULL``: erasing the chat unlinks the participant and stops every message,
while the counsellor keeps the contacts *they* recorded (calls, meetings, CER, diagnosis).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.clock import utcnow
from store.base import Base, UTCDateTime

PARTICIPANT_STATUSES = ("invited", "active", "ended", "reoriented")
# What a counsellor may record (``python -m scheduler contact``, later the console).
COUNSELLOR_KINDS = ("phone", "physical", "other", "cer", "diagnosis")
# What the person tells the bot: their check-in answers and free text.
PERSON_KINDS = ("checkin",)
# Kinds that count as the week's contact ("un contact chaque semaine").
CONTACT_KINDS = ("checkin", "phone", "physical", "other")
ANSWERS = ("ok", "difficulties", "found", "talk", "free_text")
TASK_KINDS = ("task", "alert")


def hash_code(code: str) -> str:
    """Invitation codes are stored hashed: a copy of the table cannot link accounts."""
    return hashlib.sha256(code.encode()).hexdigest()


class Participant(Base):
    """An RSA participant followed by a counsellor for 3 to 6 months."""

    __tablename__ = "participants"
    __table_args__ = (Index("ix_participants_status_counsellor", "status", "counsellor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), unique=True
    )
    name: Mapped[str] = mapped_column(String(120))
    counsellor_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), index=True
    )
    orientation_on: Mapped[date] = mapped_column(Date)
    programme_start: Mapped[date | None] = mapped_column(Date)  # default: orientation date
    programme_end: Mapped[date | None] = mapped_column(Date)  # default: start + max months
    cer_signed_on: Mapped[date | None] = mapped_column(Date)
    diagnosis_3m_on: Mapped[date | None] = mapped_column(Date)
    diagnosis_final_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="invited")
    # Written by the dispatcher when a weekly check-in goes out (cadence: remind, alert).
    last_checkin_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="participant", cascade="all, delete-orphan", passive_deletes=True
    )


class Invitation(Base):
    """A single-use code behind ``https://t.me/<bot>?start=<code>``; only its hash is kept."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    participant: Mapped[Participant] = relationship(back_populates="invitations")


class ContactEvent(Base):
    """One contact: a check-in answer, a call, a physical meeting, the CER, a diagnosis."""

    __tablename__ = "contact_events"
    __table_args__ = (Index("ix_contact_events_participant_at", "participant_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    # Set only for what the person said (erased with them); NULL for counsellor records.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))  # checkin|phone|physical|other|cer|diagnosis
    answer: Mapped[str | None] = mapped_column(String(12))  # ok|difficulties|found|talk|free_text
    period: Mapped[str | None] = mapped_column(String(10))  # ISO week of the check-in answered
    text: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CounsellorTask(Base):
    """Something a counsellor must do (task) or know now (alert); one per rule and period."""

    __tablename__ = "counsellor_tasks"
    __table_args__ = (Index("ix_counsellor_tasks_open", "counsellor_id", "done_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    counsellor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(8))  # task|alert
    rule: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def add_task(
    session: Session,
    *,
    key: str,
    participant_id: int | None,
    counsellor_id: int | None,
    kind: str,
    rule: str,
    reason: str,
    now: datetime,
) -> bool:
    """A counsellor task or alert, once per idempotency key; True when it was created."""
    values = {
        "idempotency_key": key,
        "participant_id": participant_id,
        "counsellor_id": counsellor_id,
        "kind": kind,
        "rule": rule,
        "reason": reason,
        "due_at": now,
        "created_at": now,
    }
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    result = session.execute(
        insert(CounsellorTask)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )
    return bool(getattr(result, "rowcount", 0))
