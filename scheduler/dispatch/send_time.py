"""The checks made again just before sending: expiry, recipient, consent, ``/stop``,
reachability; quiet hours and the programme's weekday window."""

from __future__ import annotations

from collections.abc import Container
from datetime import datetime, timedelta

from capabilities.programme import periods
from capabilities.programme.rules import Rules
from scheduler.dispatch.rows import CONVERSATIONAL, WINDOWED, Claimed, Target


def hold(
    row: Claimed, target: Target | None, now: datetime, channels: Container[str]
) -> tuple[str, str] | None:
    """Why this row must not go out now (status, reason), or ``None`` to send it."""
    if row.expires_at is not None and row.expires_at <= now:
        return "skipped", "expired"
    if row.person_id is None or target is None:
        return "failed", "no recipient"
    conversational = row.rule in CONVERSATIONAL
    # A counsellor's answer goes out whatever the consent: it answers a hand-off the person
    # raised (a distress alert is raised before consent, capabilities/handoff/flow.py).
    if target.consent != "given" and row.rule != "relay":
        return "skipped", "no consent"
    if target.opted_out and not conversational:
        return "skipped", "opted out (/stop)"
    if target.channel is None and target.stopped:
        return "failed", target.stopped  # kept, with why, not retried
    if target.channel is None or target.channel not in channels:
        return "skipped", "unreachable"
    return None


def later(row: Claimed, now: datetime, rules: Rules) -> datetime | None:
    """When quiet hours (or the check-in window) allow this row, if not now."""
    if row.rule in CONVERSATIONAL:
        return None
    quiet = rules.quiet
    if not quiet.allows(now, rest_days_ok=row.ignore_quiet_hours):
        return quiet.next_allowed(now, rest_days_ok=row.ignore_quiet_hours)
    if row.rule in WINDOWED:
        moment = periods.next_window_moment(now, rules)
        if moment is None or moment > now:
            return moment or now + timedelta(days=1)
    return None
