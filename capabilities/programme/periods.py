"""Weeks, months and the check-in window in Paris time: the calendar arithmetic of the cadence.

Pure functions shared by the cadence rules (per participant) and the set-based planner (SQL
bounds), so both agree on where a week or a month starts, across DST changes. They are
memoised: planning 90,000 participants asks the same few dates over and over.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from capabilities.programme.rules import Rules
from core.calendar import is_public_holiday
from core.clock import PARIS


@lru_cache(maxsize=4096)
def local_day(moment: datetime) -> date:
    """The Paris calendar day of an instant."""
    return moment.astimezone(PARIS).date()


@lru_cache(maxsize=4096)
def at_paris(day: date, clock: time = time(0, 0)) -> datetime:
    """The UTC instant of a Paris wall-clock time (DST-aware)."""
    return datetime.combine(day, clock, tzinfo=PARIS).astimezone(UTC)


@lru_cache(maxsize=4096)
def iso_week(day: date) -> str:
    """``2026-W49``: the ISO week label used in idempotency keys."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@lru_cache(maxsize=4096)
def week_start(day: date) -> date:
    """The Monday of the ISO week of ``day``."""
    return day - timedelta(days=day.isoweekday() - 1)


@lru_cache(maxsize=4096)
def month_label(day: date) -> str:
    """``2026-12``: the month label used in idempotency keys."""
    return f"{day.year}-{day.month:02d}"


@lru_cache(maxsize=4096)
def month_first(day: date) -> date:
    """The first day of the month of ``day``."""
    return day.replace(day=1)


@lru_cache(maxsize=4096)
def month_last(day: date) -> date:
    """The last day of the month of ``day``."""
    return day.replace(day=monthrange(day.year, day.month)[1])


@lru_cache(maxsize=4096)
def previous_month(day: date) -> date:
    """The first day of the month before ``day``'s month."""
    return month_first(month_first(day) - timedelta(days=1))


@lru_cache(maxsize=4096)
def add_months(day: date, months: int) -> date:
    """``day`` plus whole months, clamped to the month's end (31 Aug + 3 months = 30 Nov)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def is_window_day(day: date, rules: Rules) -> bool:
    """May participants get programme messages on that day (weekday, not a holiday)?"""
    window = rules.checkin_window
    if day.isoweekday() not in window.weekdays:
        return False
    return not (window.skip_public_holidays and is_public_holiday(day))


@lru_cache(maxsize=256)
def next_window_moment(
    moment: datetime, rules: Rules, *, horizon_days: int = 14
) -> datetime | None:
    """The first instant at or after ``moment`` inside the check-in window, in UTC."""
    window = rules.checkin_window
    local = moment.astimezone(PARIS)
    day = local.date()
    for offset in range(horizon_days + 1):
        current = day + timedelta(days=offset)
        if not is_window_day(current, rules):
            continue
        opens, closes = at_paris(current, window.start), at_paris(current, window.end)
        if offset == 0:
            if moment >= closes:
                continue
            return max(moment.astimezone(UTC), opens)
        return opens
    return None


@lru_cache(maxsize=256)
def checkin_slot(day: date, rules: Rules) -> datetime | None:
    """When this ISO week's check-in goes out: the configured weekday and time, moved to the
    next window day of the same week on a holiday; ``None`` if the week has none left."""
    weekly = rules.weekly_contact
    monday = week_start(day)
    first = monday + timedelta(days=weekly.checkin_weekday - 1)
    for offset in range(7 - weekly.checkin_weekday + 1):
        current = first + timedelta(days=offset)
        if is_window_day(current, rules):
            return at_paris(current, weekly.checkin_time)
    return None
