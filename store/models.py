"""Foundation models: people, their channel accounts, conversations, the message log.

Later capabilities (appointments, programme, console) add their own model modules on the
same :class:`store.base.Base` and their own Alembic migration.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from store.base import Base, UTCDateTime


class Person(Base):
    """Someone who talks to the assistant. Nothing personal is kept before consent."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locale: Mapped[str | None] = mapped_column(String(8))  # chosen with /langue
    consent: Mapped[str] = mapped_column(String(10), default="pending")  # pending|given|refused
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    proactive_opt_out: Mapped[bool] = mapped_column(default=False)  # /stop
    display_name: Mapped[str | None] = mapped_column(String(80))
    commune: Mapped[str | None] = mapped_column(String(60))

    accounts: Mapped[list[ChannelAccount]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )
    conversation: Mapped[Conversation | None] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )


class ChannelAccount(Base):
    """How to reach a person on one channel (Telegram chat id, local chat user)."""

    __tablename__ = "channel_accounts"
    __table_args__ = (UniqueConstraint("channel", "external_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_ref: Mapped[str] = mapped_column(String(64))
    language_code: Mapped[str | None] = mapped_column(String(16))
    unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why (a hard bounce of the number…), shown to counsellors; cleared with the flag.
    unreachable_reason: Mapped[str | None] = mapped_column(String(120))

    person: Mapped[Person] = relationship(back_populates="accounts")


class Conversation(Base):
    """The persisted state of a person's conversation: active flow and hand-off status."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    flow: Mapped[str | None] = mapped_column(String(32))
    step: Mapped[str | None] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    nonce: Mapped[str | None] = mapped_column(String(8))  # guards stateful keyboards
    misunderstood: Mapped[int] = mapped_column(Integer, default=0)  # consecutive misses
    handoff: Mapped[str] = mapped_column(String(10), default="bot")  # bot|waiting|human|resolved
    handoff_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handoff_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    person: Mapped[Person] = relationship(back_populates="conversation")


class MessageLog(Base):
    """What was said, both ways: the transcript counsellors read and people can erase."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_person_created", "person_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    direction: Mapped[str] = mapped_column(String(3))  # in|out
    author: Mapped[str] = mapped_column(String(40))  # person|bot|counsellor:<id>
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[str | None] = mapped_column(String(64))
    intent: Mapped[str | None] = mapped_column(String(40))
    confidence: Mapped[float | None] = mapped_column()


class ProcessedUpdate(Base):
    """Delivery ids already handled: a re-delivered update is processed once."""

    __tablename__ = "processed_updates"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HandoffRequest(Base):
    """A person asked for (or needs) a human counsellor."""

    __tablename__ = "handoff_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(String(40))  # asked|misunderstood|distress|checkin
    status: Mapped[str] = mapped_column(String(10), default="open")  # open|taken|closed
    summary: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
