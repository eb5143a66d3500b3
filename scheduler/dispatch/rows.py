"""What the dispatcher handles: a claimed outbox row and where it goes, as of now."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from store.db import Session

# Answers in a conversation the person started: not "proactive", so /stop and night do not hold
# them back (the counsellor is answering a question).
CONVERSATIONAL = frozenset({"relay", "reply"})  # reply: a live answer Telegram refused
# Programme messages keep to the check-in window (weekdays, daytime, no holidays).
WINDOWED = frozenset({"weekly_checkin", "checkin_reminder"})
# A person reached on several channels gets Telegram first; SMS (paid) for those without it.
CHANNEL_PREFERENCE = ("telegram", "local", "sms")

AfterSend = Callable[[Session, int, str, str, datetime], None]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Claimed:
    """A row this dispatcher holds."""

    id: int
    key: str
    person_id: int | None
    rule: str
    replies: list[dict[str, Any]]
    expires_at: datetime | None
    ignore_quiet_hours: bool
    attempts: int
    send_started_at: datetime | None = None  # a keyed channel may have sent it already


@dataclass(frozen=True)
class Target:
    """Who the row goes to, as of now."""

    opted_out: bool
    consent: str
    channel: str | None
    user_ref: str | None
    locale: str = "fr"  # templates are rendered in it (``capabilities.programme.templates``)
    # Why nothing can go (the SMS number bounced and no other channel): the row fails so.
    stopped: str | None = None


def by_id(row: Claimed) -> int:
    return row.id
