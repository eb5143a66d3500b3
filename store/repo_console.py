"""The console's own persistence: staff accounts, sign-in attempts, audit, canned replies.

Every query the console's account, admin and sign-in pages run lives here; the pages keep
the request's session as their unit of work (add, get, commit).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from store.console_models import AuditEntry, CannedReply, LoginAttempt, TelegramSender
from store.db import Session
from store.errors import Conflict
from store.staff import Staff

# --- staff accounts ------------------------------------------------------------------


def staff_names(session: Session) -> dict[int, str]:
    """Names of every member of staff by id (to name authors and assignees)."""
    return {row.id: row.name for row in session.scalars(select(Staff))}


def staff_name_pairs(session: Session) -> dict[int, str]:
    """Names by id, read as plain columns (no ORM objects) for long contact lists."""
    return dict(session.execute(select(Staff.id, Staff.name)).tuples().all())


def staff_by_email(session: Session, email: str) -> Staff | None:
    """The account of this (lower-cased) e-mail, whatever case it was stored in."""
    return session.scalars(select(Staff).where(func.lower(Staff.email) == email)).first()


def members_by_name(session: Session) -> list[Staff]:
    """Every account, active or not, for the admin page."""
    return list(session.scalars(select(Staff).order_by(Staff.name)))


def active_members(session: Session) -> list[Staff]:
    """Active accounts by name: who a waiting person can be assigned to."""
    return list(session.scalars(select(Staff).where(Staff.active).order_by(Staff.name)))


def add_staff(session: Session, staff: Staff) -> None:
    """Insert a new account now, so that a taken e-mail is known at once.

    Raises :class:`store.errors.Conflict` when the e-mail (unique) is already used; the
    caller rolls the session back.
    """
    session.add(staff)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(str(exc)) from exc


# --- Telegram links ------------------------------------------------------------------


def linked_telegram_ids(session: Session) -> set[int | None]:
    """Telegram user ids some account is linked to."""
    return set(
        session.scalars(select(Staff.telegram_user_id).where(Staff.telegram_user_id.is_not(None)))
    )


def senders_latest_first(session: Session) -> list[TelegramSender]:
    """Everyone who wrote in the staff group, most recent first."""
    return list(
        session.scalars(select(TelegramSender).order_by(TelegramSender.last_seen_at.desc()))
    )


def telegram_holder(session: Session, user_id: int, other_than: int) -> Staff | None:
    """Another account already linked to this Telegram user (a link is unique)."""
    return session.scalars(
        select(Staff).where(Staff.telegram_user_id == user_id, Staff.id != other_than)
    ).first()


# --- sign-in attempts ----------------------------------------------------------------


def last_success(session: Session, email: str) -> datetime | None:
    """When this e-mail last signed in (the throttle counts failures after it)."""
    return session.scalar(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.email == email, LoginAttempt.ok)
    )


def failures_since(session: Session, email: str, start: datetime) -> int:
    """Wrong passwords for this e-mail after ``start``."""
    count = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            LoginAttempt.email == email,
            LoginAttempt.at > start,
            LoginAttempt.ok.is_(False),
            LoginAttempt.throttled.is_(False),
        )
    )
    return int(count or 0)


# --- audit and canned replies --------------------------------------------------------


def latest_audit(session: Session, limit: int) -> list[AuditEntry]:
    """The audit log, latest first (the page shows 300, the export 10 000)."""
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.at.desc()).limit(limit)))


def canned_replies(session: Session) -> list[CannedReply]:
    """Every canned reply by name, for the reply form and the admin page."""
    return list(session.scalars(select(CannedReply).order_by(CannedReply.name)))


def canned_named(session: Session, name: str) -> CannedReply | None:
    """The canned reply of this name (saving one replaces its text)."""
    return session.scalars(select(CannedReply).where(CannedReply.name == name)).first()
