"""The web chat's transcript: what a visitor's browser shows again after a reload.

One row per message shown in the panel (the visitor's own messages and every reply), tied
to the visitor's channel account: when the person is erased (``/supprimer``) or refuses
consent, the account goes and so does the transcript (cascade, and a purge on read for
SQLite which does not enforce foreign keys). ``seen_id`` is the last row the visitor saw:
the launcher's unread badge counts the replies after it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from store.base import Base, UTCDateTime


class WebchatMessage(Base):
    """One message of a web chat panel, as the browser renders it."""

    __tablename__ = "webchat_messages"
    __table_args__ = (Index("ix_webchat_messages_visitor", "visitor", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("channel_accounts.id", ondelete="CASCADE"), index=True
    )
    visitor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(8))  # "visitor" | "bot" | "counsellor"
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebchatVisitor(Base):
    """What the server remembers of a visitor besides the transcript: the last row seen."""

    __tablename__ = "webchat_visitors"

    visitor: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_id: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
