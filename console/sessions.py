"""Server-side sessions of the console: an opaque token in the cookie, a row in the table.

Signing out, changing one's password, or an admin's "end all sessions" revoke the rows:
a cookie copied before still opens nothing. A session also ends after 30 minutes without
a page (idle) and 8 hours after sign-in, whatever happens.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from store import repo_console_login
from store.console_sessions import ConsoleSession
from store.db import Session
from store.staff import Staff

SESSION_HOURS = 8
IDLE = timedelta(minutes=30)
LIFETIME = timedelta(hours=SESSION_HOURS)
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most once a minute
COOKIE_KEY = "sid"


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(
    cookie: dict[str, Any], session: Session, staff: Staff, now: datetime, ip: str, agent: str
) -> ConsoleSession:
    """A new session for ``staff``; the browser's cookie gets its token (and only that)."""
    token = secrets.token_urlsafe(32)
    row = ConsoleSession(
        id=_key(token),
        staff_id=staff.id,
        created_at=now,
        last_seen_at=now,
        ip=ip[:64],
        user_agent=agent[:200],
    )
    session.add(row)
    cookie.clear()
    cookie[COOKIE_KEY] = token
    return row


def current(cookie: dict[str, Any], session: Session, now: datetime) -> ConsoleSession | None:
    """The live session of this cookie, touched; ``None`` (and a cleared cookie) otherwise."""
    token = cookie.get(COOKIE_KEY)
    if not isinstance(token, str):
        return None
    row = repo_console_login.live_session(session, _key(token))
    if row is not None and (now - row.last_seen_at > IDLE or now - row.created_at > LIFETIME):
        row.revoked_at, row.revoked_reason = now, "expired"
        row = None
    if row is None:
        cookie.clear()
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return row


def key_of(cookie: dict[str, Any]) -> str | None:
    """The table key of this cookie's session."""
    token = cookie.get(COOKIE_KEY)
    return _key(token) if isinstance(token, str) else None


def end(cookie: dict[str, Any], session: Session, staff_id: int, now: datetime) -> None:
    """Sign-out: this browser's session is revoked and its cookie forgotten."""
    key = key_of(cookie)
    if key is not None:
        repo_console_login.revoke(session, staff_id, now, "logout", only=key)
    cookie.clear()


def open_sessions(session: Session, staff_id: int, now: datetime) -> list[ConsoleSession]:
    """A member's sessions still usable now (for "Mon compte")."""
    rows = repo_console_login.sessions_of(session, staff_id, now - IDLE)
    return [row for row in rows if now - row.created_at <= LIFETIME]
