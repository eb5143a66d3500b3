"""The Telegram inbox: every webhook update, recorded before Telegram gets its 200.

A row is written (keyed by ``update_id``, so a re-delivery is a no-op) and committed before
the webhook answers; a replica then processes the chat's rows in ``update_id`` order under
the chat's lock (:mod:`store.locks`) and marks each done. A replica killed after the 200
leaves its rows undone: another replica (or itself after a restart) takes them. Done rows
keep no message text (``payload`` is cleared) and are purged after a few days.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, Text, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.base import Base, UTCDateTime

# A row that failed this many times (an update PTB cannot even parse) is set aside, so that
# it cannot block the person's later messages forever.
MAX_ATTEMPTS = 5


class InboxUpdate(Base):
    """One update received by the webhook."""

    __tablename__ = "telegram_inbox"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger)  # 0: an update without a chat
    payload: Mapped[str | None] = mapped_column(Text)  # the update's JSON; None once done
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index(
            "ix_telegram_inbox_pending",
            "chat_id",
            "update_id",
            postgresql_where=done_at.is_(None),
            sqlite_where=done_at.is_(None),
        ),
    )


_TABLE = InboxUpdate.__table__


def record(session: Session, update_id: int, chat_id: int, payload: str, now: datetime) -> bool:
    """Insert the update unless it is known; True when it is new. The caller commits."""
    insert = pg_insert if session.connection().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(_TABLE)  # type: ignore[arg-type]
        .values(update_id=update_id, chat_id=chat_id, payload=payload, received_at=now, attempts=0)
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(_TABLE.c.update_id)
    )
    return session.execute(statement).first() is not None


def pending_chats(session: Session, limit: int = 50) -> Sequence[int]:
    """Chats with undone updates, the one waiting longest first."""
    return session.scalars(
        select(InboxUpdate.chat_id)
        .where(InboxUpdate.done_at.is_(None))
        .group_by(InboxUpdate.chat_id)
        .order_by(func.min(InboxUpdate.update_id))
        .limit(limit)
    ).all()


def next_of_chat(session: Session, chat_id: int) -> tuple[int, str | None, int] | None:
    """The chat's oldest undone update: (update_id, payload, attempts so far)."""
    row = session.execute(
        select(InboxUpdate.update_id, InboxUpdate.payload, InboxUpdate.attempts)
        .where(InboxUpdate.chat_id == chat_id, InboxUpdate.done_at.is_(None))
        .order_by(InboxUpdate.update_id)
        .limit(1)
    ).first()
    return None if row is None else (int(row[0]), row[1], int(row[2]))


def started(session: Session, update_id: int) -> None:
    """Count one more attempt (before processing: a crash counts too)."""
    session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.update_id == update_id)
        .values(attempts=InboxUpdate.attempts + 1)
    )


def mark_done(session: Session, update_id: int, now: datetime) -> None:
    """The update is processed: forget its text, keep its id (re-deliveries stay no-ops)."""
    session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.update_id == update_id)
        .values(done_at=now, payload=None)
    )


def undone_count(session: Session) -> int:
    """How many updates wait (tests, benchmarks, the operator)."""
    return int(session.scalar(select(func.count()).where(InboxUpdate.done_at.is_(None))) or 0)


def purge_done(session: Session, old: datetime) -> int:
    """Delete the done rows older than ``old``; returns how many."""
    done = session.execute(
        delete(InboxUpdate).where(InboxUpdate.done_at.is_not(None), InboxUpdate.done_at < old)
    )
    return int(getattr(done, "rowcount", 0) or 0)
