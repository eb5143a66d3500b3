"""Channel pauses: a whole channel stopped until a moment (Brevo has no SMS credits left).

One row per channel, shared by every replica and kept over a restart: the dispatcher holds
the channel's rows until ``until`` (they wait, nothing is lost), ``/readyz`` reports it and
the console shows a banner; an admin can end it early there (:func:`end_early`: the rows that
waited for it go now).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.base import Base, UTCDateTime
from store.outbox import OutboxMessage


class ChannelPause(Base):
    """A channel that sends nothing before ``until``."""

    __tablename__ = "channel_pauses"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(120))
    paused_at: Mapped[datetime] = mapped_column(UTCDateTime)


def pause(session: Session, channel: str, until: datetime, reason: str, now: datetime) -> None:
    """Pause ``channel`` until ``until`` (a later pause wins; two replicas pausing at once
    is one upsert). The caller commits."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = {"channel": channel, "until": until, "reason": reason[:120], "paused_at": now}
    statement = insert(ChannelPause).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["channel"],
            set_={"until": until, "reason": reason[:120], "paused_at": now},
            where=ChannelPause.until < statement.excluded.until,
        )
    )


def active(session: Session, now: datetime) -> dict[str, datetime]:
    """The channels paused now, and until when."""
    rows = session.execute(
        select(ChannelPause.channel, ChannelPause.until).where(ChannelPause.until > now)
    ).all()
    return {str(channel): until for channel, until in rows}


def resume(session: Session, channel: str) -> None:
    """End a pause early."""
    session.execute(delete(ChannelPause).where(ChannelPause.channel == channel))


def end_early(session: Session, channel: str, now: datetime) -> datetime | None:
    """End the pause now (credits bought): the rows that waited for it are due now — those
    set to its end, or put back by the pause or a 429 (``last_error``) before its end; a
    programme message planned for later keeps its time. Returns the end it had (None: not
    paused). The caller commits."""
    until = active(session, now).get(channel)
    if until is None:
        return None
    resume(session, channel)
    waited = or_(
        OutboxMessage.not_before == until,
        OutboxMessage.last_error == f"{channel} paused",
        OutboxMessage.last_error.like("retry after %"),
    )
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == "pending",
            OutboxMessage.not_before > now,
            OutboxMessage.not_before <= until,
            waited,
        )
        .values(not_before=now)
        .execution_options(synchronize_session=False)
    )
    return until
