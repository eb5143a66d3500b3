"""Passwords (Argon2), CSRF tokens and the sign-in throttle of the console."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from store import repo_console
from store.console_models import LoginAttempt
from store.db import Session

MAX_FAILURES = 5  # wrong passwords in a row before the account is throttled
THROTTLE = timedelta(minutes=15)
MIN_PASSWORD = 10

_hasher = PasswordHasher()
# A hash of a random password, verified when the e-mail is unknown: same cost, no oracle.
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """Argon2id hash to store in ``staff.password_hash``."""
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when ``password`` matches; constant work whether the account exists or not."""
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def new_csrf_token() -> str:
    """A random token bound to the session, echoed by every form."""
    return secrets.token_urlsafe(32)


def csrf_matches(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of the session's token and the form's."""
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


def recent_failures(session: Session, email: str, now: datetime) -> int:
    """Wrong passwords for this e-mail since its last success, within the throttle window."""
    last_ok = repo_console.last_success(session, email)
    start = now - THROTTLE
    if last_ok is not None and last_ok > start:
        start = last_ok
    return repo_console.failures_since(session, email, start)


def is_throttled(session: Session, email: str, now: datetime) -> bool:
    """Five wrong passwords in the last 15 minutes: refuse even the right one for a while."""
    return recent_failures(session, email, now) >= MAX_FAILURES


def record_attempt(
    session: Session, email: str, ip: str, ok: bool, now: datetime, *, throttled: bool = False
) -> None:
    """Remember a sign-in attempt (the throttle counts the failures that were checked)."""
    session.add(LoginAttempt(email=email, ip=ip[:64], ok=ok, at=now, throttled=throttled))
