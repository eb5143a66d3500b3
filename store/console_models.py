"""Console and hand-off tables: state history, staff topics, notes, canned replies, audit.

Everything about a person references ``people.id`` with ``ON DELETE CASCADE`` (erased with
them); the audit log keeps its rows but loses the link (``SET NULL``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from store.base import Base, UTCDateTime

STATES = ("bot", "waiting", "human", "resolved")


class HandoffTransition(Base):
    """One change of a conversation's hand-off state: who moved it, when, and why."""

    __tablename__ = "handoff_transitions"
    __table_args__ = (Index("ix_handoff_transitions_person_at", "person_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    from_state: Mapped[str] = mapped_column(String(10))
    to_state: Mapped[str] = mapped_column(String(10))
    by: Mapped[str] = mapped_column(String(64))  # person|bot|staff:<id>|telegram:<name>
    reason: Mapped[str | None] = mapped_column(String(40))


class StaffTopic(Base):
    """The forum topic of a person in the staff Telegram group (created on first hand-off)."""

    __tablename__ = "staff_topics"
    __table_args__ = (UniqueConstraint("chat_id", "thread_id"),)

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    thread_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StaffNote(Base):
    """A private note about a person, visible to staff only (never sent)."""

    __tablename__ = "staff_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    author: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text)


class CannedReply(Base):
    """A ready-made answer counsellors send with one click (``/canned <name>``)."""

    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEntry(Base):
    """Who viewed, answered or exported what: kept even after the person is erased."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(120), default="")
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )


class LoginAttempt(Base):
    """Console sign-in attempts: five wrong passwords in a row throttle the account."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    email: Mapped[str] = mapped_column(String(120), index=True)
    ip: Mapped[str] = mapped_column(String(64), default="", index=True)
    ok: Mapped[bool] = mapped_column(default=False)
    # Refused by the throttle without checking the password: never counted as a failure.
    throttled: Mapped[bool] = mapped_column(default=False, server_default=false())


class Assignment(Base):
    """Who should take a waiting person (assigned by an admin, or round-robin)."""

    __tablename__ = "handoff_assignments"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assigned_by: Mapped[str] = mapped_column(String(64))


class TelegramSender(Base):
    """Someone who wrote in the staff Telegram group: how to name them when not linked.

    The link itself is ``staff.telegram_user_id`` (set by ``/lier <code>`` or an admin).
    """

    __tablename__ = "telegram_senders"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(String(80), default="")
    username: Mapped[str | None] = mapped_column(String(64))
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TelegramLinkCode(Base):
    """A one-time code shown in the console, typed as ``/lier <code>`` in the staff group."""

    __tablename__ = "telegram_link_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
