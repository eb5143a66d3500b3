"""The outbox: one row per intended proactive message, written before anything is sent.

Planners (appointment reminders, weekly check-ins, no-show follow-ups, counsellor relays)
call :func:`enqueue` inside their own transaction. The idempotency key (for example
``checkin:<participant>:2026-W48``) makes planning twice harmless. A dispatcher claims due
rows, sends them through the channel port and marks them sent; a crash leaves them
claimed-but-unsent, and an expired claim is taken again, so nothing is lost.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.clock import utcnow
from core.messages import Button, Document, Reply, Venue
from store.base import Base, UTCDateTime

STATUSES = ("pending", "claimed", "sent", "failed", "cancelled", "skipped")


class OutboxMessage(Base):
    """A message we intend to send to a person (or to staff), exactly once."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "not_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[str] = mapped_column(String(40))  # reminder_48h, checkin, relay…
    replies: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # too late to be useful
    # Quiet hours and Sundays/holidays may be overridden (the day-of reminder).
    ignore_quiet_hours: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Committed just before a keyed channel (SMS) is called: a row coming back with it set
    # may have left; the channel is asked before it is sent again (``KeyedSending``).
    send_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def dump_replies(replies: Sequence[Reply]) -> list[dict[str, Any]]:
    """Serialise replies to JSON (documents as base64) so the outbox survives restarts."""
    out: list[dict[str, Any]] = []
    for reply in replies:
        item: dict[str, Any] = {"text": reply.text}
        if reply.buttons:
            item["buttons"] = [
                [{"label": b.label, "payload": b.payload, "url": b.url} for b in row]
                for row in reply.buttons
            ]
        if reply.venue:
            v = reply.venue
            item["venue"] = {
                "latitude": v.latitude,
                "longitude": v.longitude,
                "title": v.title,
                "address": v.address,
            }
        if reply.document:
            d = reply.document
            item["document"] = {
                "filename": d.filename,
                "mime_type": d.mime_type,
                "caption": d.caption,
                "content": base64.b64encode(d.content).decode(),
            }
        out.append(item)
    return out


def load_replies(items: Sequence[dict[str, Any]]) -> list[Reply]:
    """The inverse of :func:`dump_replies`."""
    replies = []
    for item in items:
        rows = tuple(
            tuple(Button(b["label"], b.get("payload", ""), b.get("url", "")) for b in row)
            for row in item.get("buttons", [])
        )
        venue = Venue(**item["venue"]) if item.get("venue") else None
        document = None
        if item.get("document"):
            d = item["document"]
            document = Document(
                d["filename"], base64.b64decode(d["content"]), d["mime_type"], d.get("caption", "")
            )
        replies.append(
            Reply(text=item.get("text", ""), buttons=rows, venue=venue, document=document)
        )
    return replies


def enqueue(
    session: Session,
    *,
    key: str,
    person_id: int | None,
    rule: str,
    replies: Sequence[Reply],
    not_before: datetime,
    expires_at: datetime | None = None,
    ignore_quiet_hours: bool = False,
) -> bool:
    """Plan a message once: returns False when a row with that key already exists."""
    values = {
        "idempotency_key": key,
        "person_id": person_id,
        "rule": rule,
        "replies": dump_replies(replies),
        "not_before": not_before,
        "expires_at": expires_at,
        "ignore_quiet_hours": ignore_quiet_hours,
        "status": "pending",
        "attempts": 0,
        "created_at": utcnow(),
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )
    result = session.execute(statement)
    return bool(getattr(result, "rowcount", 0))
