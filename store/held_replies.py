"""Held replies: a turn's answers, kept until its update is marked done.

In webhook mode a replica processes an update (one transaction: the turn, its log, the
update id claimed) and then sends the replies. If it is killed between that COMMIT and the
inbox marking the update done, the next replica meets an update already claimed: without
this table it could only answer nothing, and the person would miss those replies. So the
turn stores its replies here in the same transaction; the replica that takes the update
over sends them (once), and marking the update done deletes them.

Rows are keyed by (channel, update id), belong to a person (erased with them) and live a
day at most (:func:`purge_older`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.messages import Reply
from store.base import Base, UTCDateTime
from store.outbox import OutboxMessage, dump_replies, load_replies


class HeldReply(Base):
    """The replies of one processed update, not yet known to be sent."""

    __tablename__ = "held_replies"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    replies: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


def hold(
    session: Session,
    channel: str,
    update_id: int,
    person_id: int,
    replies: Sequence[Reply],
    now: datetime,
) -> None:
    """Keep a turn's replies (inside the turn's transaction; the caller commits)."""
    session.add(
        HeldReply(
            channel=channel,
            update_id=update_id,
            person_id=person_id,
            replies=dump_replies(replies),
            created_at=now,
        )
    )


def still_held(session: Session, channel: str, update_id: int, outbox_key: str) -> list[Reply]:
    """The replies of an update processed by a replica that died before marking it done.

    Empty when nothing is held, or when the replies were already handed to the outbox
    (the channel refused them and the outbox will send them: sending here would double
    them)."""
    row = session.get(HeldReply, (channel, update_id))
    if row is None:
        return []
    queued = session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.idempotency_key == outbox_key).limit(1)
    )
    return [] if queued is not None else load_replies(row.replies)


def release(session: Session, channel: str, update_id: int) -> None:
    """The update is done: its replies went out (or to the outbox)."""
    session.execute(
        delete(HeldReply).where(HeldReply.channel == channel, HeldReply.update_id == update_id)
    )


def purge_older(session: Session, old: datetime) -> int:
    """Drop held replies older than ``old`` (too late to be useful); returns how many."""
    done = session.execute(delete(HeldReply).where(HeldReply.created_at < old))
    return int(getattr(done, "rowcount", 0) or 0)
