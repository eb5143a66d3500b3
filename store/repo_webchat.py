"""The web chat's transcript and unread counter (functions over a session)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from store.models import ChannelAccount, Person
from store.webchat_models import WebchatMessage, WebchatVisitor

CHANNEL = "web"
Row = tuple[int, str, dict[str, Any]]  # id, role, payload


def _account(session: Session, visitor: str) -> ChannelAccount | None:
    return session.scalars(
        select(ChannelAccount).where(
            ChannelAccount.channel == CHANNEL, ChannelAccount.external_ref == visitor
        )
    ).first()


def _purge_stale(session: Session, visitor: str, account_id: int | None) -> None:
    """Rows of an erased account (SQLite keeps them: no foreign keys enforced)."""
    stale = delete(WebchatMessage).where(WebchatMessage.visitor == visitor)
    if account_id is not None:
        stale = stale.where(WebchatMessage.account_id != account_id)
    session.execute(stale)


def append(
    session: Session, visitor: str, items: Sequence[tuple[str, dict[str, Any]]], at: datetime
) -> list[Row]:
    """Keep these messages for the visitor's next visit; nothing is kept while the visitor
    has no account (before the first turn, or after erasure): they are shown, not stored."""
    account = _account(session, visitor)
    if account is None:
        return []
    rows = [
        WebchatMessage(
            account_id=account.id, visitor=visitor, role=role, payload=payload, created_at=at
        )
        for role, payload in items
    ]
    session.add_all(rows)
    session.flush()
    return [(row.id, row.role, row.payload) for row in rows]


def history(session: Session, visitor: str, *, after: int = 0, limit: int = 200) -> list[Row]:
    """The visitor's last ``limit`` messages after ``after``, oldest first."""
    account = _account(session, visitor)
    _purge_stale(session, visitor, account.id if account else None)
    if account is None:
        return []
    rows = session.execute(
        select(WebchatMessage.id, WebchatMessage.role, WebchatMessage.payload)
        .where(WebchatMessage.account_id == account.id, WebchatMessage.id > after)
        .order_by(WebchatMessage.id.desc())
        .limit(limit)
    ).all()
    return [(row[0], row[1], row[2]) for row in reversed(rows)]


def rows(session: Session, visitor: str, ids: Sequence[int]) -> list[Row]:
    """The visitor's messages among ``ids`` (another replica kept them), oldest first."""
    found = session.execute(
        select(WebchatMessage.id, WebchatMessage.role, WebchatMessage.payload)
        .where(WebchatMessage.visitor == visitor, WebchatMessage.id.in_(list(ids)))
        .order_by(WebchatMessage.id)
    ).all()
    return [(row[0], row[1], row[2]) for row in found]


def seen(session: Session, visitor: str) -> int:
    """The last message id the visitor saw (0 for a new visitor)."""
    row = session.get(WebchatVisitor, visitor)
    return row.seen_id if row else 0


def mark_seen(session: Session, visitor: str, message_id: int, at: datetime) -> None:
    """The visitor saw everything up to ``message_id`` (never goes back)."""
    row = session.get(WebchatVisitor, visitor)
    if row is None:
        session.add(WebchatVisitor(visitor=visitor, seen_id=message_id, created_at=at))
    elif message_id > row.seen_id:
        row.seen_id = message_id


def unread(session: Session, visitor: str) -> int:
    """Replies the visitor has not seen yet (the launcher's badge)."""
    account = _account(session, visitor)
    if account is None:
        return 0
    count = session.scalar(
        select(func.count())
        .select_from(WebchatMessage)
        .where(
            WebchatMessage.account_id == account.id,
            WebchatMessage.id > seen(session, visitor),
            WebchatMessage.role != "visitor",
        )
    )
    return int(count or 0)


def locale(session: Session, visitor: str) -> str | None:
    """The language the person chose (``/langue``), if any."""
    account = _account(session, visitor)
    if account is None:
        return None
    person = session.get(Person, account.person_id)
    return person.locale if person else None
