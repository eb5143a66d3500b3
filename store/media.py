"""Voice notes and photos people send, kept for counsellors with the person.

Stored in the database next to the person (``ON DELETE CASCADE``): ``/supprimer`` erases them
with everything else and ``/mesdonnees`` counts them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from store.base import Base, UTCDateTime


class PersonMedia(Base):
    """One voice note or photo, as the person sent it."""

    __tablename__ = "person_media"
    __table_args__ = (Index("ix_person_media_person_created", "person_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(10))  # voice | photo
    mime_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    duration_s: Mapped[int | None] = mapped_column(Integer)
    caption: Mapped[str] = mapped_column(String(1024), default="")
    data: Mapped[bytes] = mapped_column(LargeBinary)
