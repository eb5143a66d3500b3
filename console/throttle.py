"""The sign-in throttle: per address, per account and address, per account — no lock-out.

- the same address and account: 5 wrong passwords in 15 minutes, and that pair waits;
- one address: 20 wrong passwords in 15 minutes on any accounts (a spray), and the
  address waits, whatever account it tries;
- one account from everywhere: 50 wrong passwords in 15 minutes, and new addresses wait
  — but an address that signed in to this account in the last 30 days still gets in,
  so a stranger cannot lock a counsellor out of their usual computer.

Attempts refused by the throttle are recorded (``throttled``) without checking the
password and never count as failures: trying again does not renew the wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from console.security import record_attempt
from store import repo_console, repo_console_login
from store.db import Session

WINDOW = timedelta(minutes=15)
PAIR_LIMIT = 5
ADDRESS_LIMIT = 20
ACCOUNT_LIMIT = 50
KNOWN_FOR = timedelta(days=30)


@dataclass(frozen=True)
class Verdict:
    """Whether this attempt may check a password; the wait in minutes when not."""

    allowed: bool
    minutes: int = 0
    reason: str = ""


def check(session: Session, email: str, ip: str, now: datetime) -> Verdict:
    """May ``ip`` try a password for ``email`` now?"""
    start = now - WINDOW
    last_ok = repo_console.last_success(session, email)
    since_success = max(start, last_ok) if last_ok is not None else start
    minutes = int(WINDOW.total_seconds() // 60)
    if repo_console_login.failures(session, since_success, email=email, ip=ip) >= PAIR_LIMIT:
        return Verdict(False, minutes, "pair")
    if repo_console_login.failures(session, start, ip=ip) >= ADDRESS_LIMIT:
        return Verdict(False, minutes, "address")
    if repo_console_login.failures(
        session, since_success, email=email
    ) >= ACCOUNT_LIMIT and not repo_console_login.known_address(
        session, email, ip, now - KNOWN_FOR
    ):
        return Verdict(False, minutes, "account")
    return Verdict(True)


def record(session: Session, email: str, ip: str, now: datetime, *, ok: bool) -> None:
    """A password was checked: remember the outcome."""
    record_attempt(session, email, ip, ok, now)


def record_throttled(session: Session, email: str, ip: str, now: datetime) -> None:
    """Refused by the throttle: kept for the audit, never counted."""
    record_attempt(session, email, ip, False, now, throttled=True)
