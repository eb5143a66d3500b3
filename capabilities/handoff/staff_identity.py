"""Who wrote in the staff group: a console account when linked, a precise Telegram name else.

A Telegram user is linked to a member of staff by ``staff.telegram_user_id``: the counsellor
types ``/lier <code>`` in the group with a one-time code shown on their console page, or an
admin sets the id on the admin page. A linked counsellor acts as ``staff:<id>`` — the same
identity as in the console (the hand-off's ``human`` state and the transcript name them).
Someone not linked is ``telegram:<user id>`` and shown as "first name @username (Telegram
id)"; every sender of the group is remembered in ``telegram_senders`` for that label.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.messages import Incoming
from store import repo_handoff
from store.console_models import TelegramLinkCode, TelegramSender
from store.db import Session
from store.staff import Staff

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I to misread
CODE_LENGTH = 8
CODE_LIFETIME = timedelta(minutes=15)
TELEGRAM = "telegram:"


@dataclass(frozen=True)
class Author:
    """A staff-group writer: ``by`` for the hand-off and the log, ``label`` for people."""

    by: str
    label: str
    staff_id: int | None


def sender_label(first_name: str, username: str | None, user_id: int) -> str:
    """ "Karim @karim_b (Telegram 4242)"."""
    handle = f" @{username}" if username else ""
    return f"{first_name or 'Conseiller'}{handle} (Telegram {user_id})"


def remember(session: Session, incoming: Incoming, now: datetime) -> None:
    """Keep the sender's current first name and username (for the unlinked label)."""
    if incoming.sender_id is None:
        return
    values = {
        "first_name": (incoming.display_name or "")[:80],
        "username": incoming.sender_username[:64] or None,
        "last_seen_at": now,
    }
    # Two messages of a new sender at once: one row, no conflict error.
    repo_handoff.upsert_sender(session, incoming.sender_id, values)


def identify(session: Session, incoming: Incoming) -> Author:
    """The member of staff linked to the sender, else the sender as Telegram shows them."""
    if incoming.sender_id is None:  # a channel that does not say who wrote
        name = incoming.display_name or "conseiller"
        return Author(f"{TELEGRAM}{name}"[:64], name, None)
    staff = repo_handoff.staff_linked_to(session, incoming.sender_id, active=True)
    if staff is not None:
        return Author(f"staff:{staff.id}", staff.name, staff.id)
    label = sender_label(incoming.display_name, incoming.sender_username, incoming.sender_id)
    return Author(f"{TELEGRAM}{incoming.sender_id}", label, None)


def label_of(session: Session, by: str) -> str | None:
    """How to name ``telegram:<id>`` now: the linked staff's name, else the sender's label."""
    raw = by.removeprefix(TELEGRAM)
    if not by.startswith(TELEGRAM) or not raw.isdigit():
        return None
    user_id = int(raw)
    staff = repo_handoff.staff_linked_to(session, user_id)
    if staff is not None:
        return f"{staff.name} (Telegram)"
    sender = session.get(TelegramSender, user_id)
    if sender is None:
        return sender_label("", None, user_id)
    return sender_label(sender.first_name, sender.username, user_id)


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def new_link_code(session: Session, staff_id: int, now: datetime) -> str:
    """A one-time code for ``/lier`` (15 minutes; the member's older codes are dropped)."""
    repo_handoff.drop_link_codes(session, staff_id)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    session.add(
        TelegramLinkCode(
            code_hash=_hash(code), staff_id=staff_id, created_at=now, expires_at=now + CODE_LIFETIME
        )
    )
    return code


def link(session: Session, staff: Staff, user_id: int | None) -> None:
    """Link (or, with None, unlink) a Telegram user; a previous holder of the id loses it."""
    if user_id is not None:
        repo_handoff.unlink_others(session, user_id, staff.id)
        session.flush()
    staff.telegram_user_id = user_id


def link_with_code(session: Session, code: str, user_id: int, now: datetime) -> Staff | None:
    """``/lier <code>``: link the sender to the code's member of staff (the code is used up)."""
    row = session.get(TelegramLinkCode, _hash(code))
    if row is None:
        return None
    session.delete(row)
    staff = session.get(Staff, row.staff_id)
    if row.expires_at < now or staff is None or not staff.active:
        return None
    link(session, staff, user_id)
    return staff
