"""Queries of the console's sign-in throttle and server-side sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from store.console_models import LoginAttempt
from store.console_sessions import ConsoleSession
from store.db import Session

# --- sign-in attempts (throttled ones are never counted) ------------------------------


def failures(
    session: Session, start: datetime, *, email: str | None = None, ip: str | None = None
) -> int:
    """Wrong passwords after ``start``, for an e-mail, an address, or the pair."""
    query = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            LoginAttempt.at > start, LoginAttempt.ok.is_(False), LoginAttempt.throttled.is_(False)
        )
    )
    if email is not None:
        query = query.where(LoginAttempt.email == email)
    if ip is not None:
        query = query.where(LoginAttempt.ip == ip)
    return int(session.scalar(query) or 0)


def known_address(session: Session, email: str, ip: str, since: datetime) -> bool:
    """This address signed in to this account successfully since ``since``."""
    found = session.scalar(
        select(LoginAttempt.id)
        .where(
            LoginAttempt.email == email,
            LoginAttempt.ip == ip,
            LoginAttempt.ok,
            LoginAttempt.at > since,
        )
        .limit(1)
    )
    return found is not None


# --- sessions -------------------------------------------------------------------------


def live_session(session: Session, key: str) -> ConsoleSession | None:
    """The session of this hashed token, unless it was revoked."""
    row = session.get(ConsoleSession, key)
    return row if row is not None and row.revoked_at is None else None


def sessions_of(session: Session, staff_id: int, idle_since: datetime) -> list[ConsoleSession]:
    """A member's open sessions (not revoked, seen since ``idle_since``), latest first."""
    return list(
        session.scalars(
            select(ConsoleSession)
            .where(
                ConsoleSession.staff_id == staff_id,
                ConsoleSession.revoked_at.is_(None),
                ConsoleSession.last_seen_at > idle_since,
            )
            .order_by(ConsoleSession.last_seen_at.desc())
        )
    )


def revoke(
    session: Session,
    staff_id: int,
    now: datetime,
    reason: str,
    *,
    only: str | None = None,
    keep: str | None = None,
) -> int:
    """End a member's sessions (one of them, all, or all but ``keep``); how many ended."""
    query = update(ConsoleSession).where(
        ConsoleSession.staff_id == staff_id, ConsoleSession.revoked_at.is_(None)
    )
    if only is not None:
        query = query.where(ConsoleSession.id == only)
    if keep is not None:
        query = query.where(ConsoleSession.id != keep)
    result = session.execute(query.values(revoked_at=now, revoked_reason=reason))
    return int(getattr(result, "rowcount", 0) or 0)
