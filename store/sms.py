"""SMS: Brevo's webhooks recorded before the 200 (the inbox), and each sent SMS's delivery.

``sms_inbox`` is keyed on the event's key (Brevo's ``messageId`` with the event and its date:
a re-delivered webhook is recorded once, processed once). Its ``payload`` (the number and the
text) is cleared once processed. ``sms_deliveries`` is one row per SMS Brevo accepted: its
segments (the week's count and cost) and what the delivery reports said (pending, sent,
failed with why). Both are erased with the person (``person_id``), or by the retention.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.base import Base, UTCDateTime


class SmsEvent(Base):
    """One webhook call from Brevo (an inbound reply or a delivery report)."""

    __tablename__ = "sms_inbox"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, unique=True)  # order of arrival
    kind: Mapped[str] = mapped_column(String(16))  # reply | report
    payload: Mapped[str | None] = mapped_column(Text)  # JSON; None once done
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class SmsDelivery(Base):
    """One SMS that Brevo accepted, and what became of it."""

    __tablename__ = "sms_deliveries"

    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    segments: Mapped[int] = mapped_column(Integer)
    # The payloads the digits 1, 2… stand for in this SMS (JSON list): a reply, which Brevo
    # ties to this messageId, is understood after a restart too.
    choices: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending|sent|failed
    reason: Mapped[str | None] = mapped_column(String(120))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


_INBOX = SmsEvent.__table__
_DELIVERIES = SmsDelivery.__table__


def record(session: Session, key: str, kind: str, payload: str, now: datetime) -> bool:
    """Insert the event unless its key is known; True when new. The caller commits."""
    insert = pg_insert if session.connection().dialect.name == "postgresql" else sqlite_insert
    next_id = (session.scalar(select(func.max(SmsEvent.id))) or 0) + 1
    statement = (
        insert(_INBOX)  # type: ignore[arg-type]
        .values(key=key, id=next_id, kind=kind, payload=payload, received_at=now, attempts=0)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(_INBOX.c.key)
    )
    return session.execute(statement).first() is not None


def pending(session: Session, limit: int = 50) -> Sequence[tuple[str, int, str, str | None]]:
    """Undone events, oldest first: (key, id, kind, payload)."""
    rows = session.execute(
        select(SmsEvent.key, SmsEvent.id, SmsEvent.kind, SmsEvent.payload)
        .where(SmsEvent.done_at.is_(None), SmsEvent.attempts < 5)
        .order_by(SmsEvent.id)
        .limit(limit)
    ).all()
    return [(str(r[0]), int(r[1]), str(r[2]), r[3]) for r in rows]


def started(session: Session, key: str) -> None:
    """One more attempt (a crash counts too)."""
    session.execute(
        update(SmsEvent).where(SmsEvent.key == key).values(attempts=SmsEvent.attempts + 1)
    )


def mark_done(session: Session, key: str, now: datetime) -> None:
    """Processed: forget the number and the text, keep the key (re-deliveries stay no-ops)."""
    session.execute(update(SmsEvent).where(SmsEvent.key == key).values(done_at=now, payload=None))


def sent(
    session: Session,
    message_id: int,
    person_id: int | None,
    segments: int,
    now: datetime,
    choices: Sequence[str] = (),
) -> None:
    """Brevo accepted an SMS (once per ``message_id``: an SMS recorded when Brevo answered
    and found again in its events after a crash is one row). The caller commits."""
    insert = pg_insert if session.connection().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(_DELIVERIES)  # type: ignore[arg-type]
        .values(
            message_id=message_id,
            person_id=person_id,
            segments=segments,
            sent_at=now,
            choices=json.dumps(list(choices)) if choices else None,
            state="pending",
        )
        .on_conflict_do_nothing(index_elements=["message_id"])
    )


def choices_of(session: Session, message_id: int) -> tuple[str, ...] | None:
    """The numbered answers of an SMS, or None when unknown."""
    raw = session.scalar(select(SmsDelivery.choices).where(SmsDelivery.message_id == message_id))
    return tuple(json.loads(raw)) if raw else None


def person_of(session: Session, message_id: int) -> int | None:
    """Whose SMS this was (None: unknown, or erased)."""
    return session.scalar(select(SmsDelivery.person_id).where(SmsDelivery.message_id == message_id))


def report(session: Session, message_id: int, state: str, reason: str | None, now: datetime) -> int:
    """A delivery report: the SMS's state (never back from sent/failed to pending)."""
    done = session.execute(
        update(SmsDelivery)
        .where(SmsDelivery.message_id == message_id)
        .values(state=state, reason=reason, updated_at=now)
    )
    return int(getattr(done, "rowcount", 0) or 0)


def week_totals(session: Session, start: datetime, end: datetime) -> tuple[int, int]:
    """(SMS, segments) sent in ``[start, end)``."""
    row = session.execute(
        select(func.count(), func.coalesce(func.sum(SmsDelivery.segments), 0)).where(
            SmsDelivery.sent_at >= start, SmsDelivery.sent_at < end
        )
    ).one()
    return int(row[0]), int(row[1])


def deliveries_of(session: Session, person_id: int, limit: int = 20) -> Sequence[SmsDelivery]:
    """The person's latest SMS (the console shows their state)."""
    return session.scalars(
        select(SmsDelivery)
        .where(SmsDelivery.person_id == person_id)
        .order_by(SmsDelivery.sent_at.desc())
        .limit(limit)
    ).all()


def purge_done(session: Session, old: datetime) -> int:
    """Delete processed webhook events older than ``old`` (their text is already gone)."""
    done = session.execute(
        delete(SmsEvent).where(SmsEvent.done_at.is_not(None), SmsEvent.done_at < old)
    )
    return int(getattr(done, "rowcount", 0) or 0)
