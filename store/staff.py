"""Staff: counsellors, mediators, admins — shared by appointments, programme and console."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from store.base import Base, UTCDateTime

ROLES = ("counsellor", "mediator", "admin")


class Staff(Base):
    """A member of staff. ``password_hash`` is set by the console (Argon2), never in clear."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(120), unique=True)
    role: Mapped[str] = mapped_column(String(12), default="counsellor")
    active: Mapped[bool] = mapped_column(default=True)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
