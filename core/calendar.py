"""When we may write to people: quiet hours, Sundays and French public holidays.

Every planner picks a send time inside its own window, and the dispatcher checks again at
send time (a /stop or a delay may have happened in between). All reasoning is in Paris time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays

from core.clock import PARIS


@lru_cache(maxsize=16)
def _french_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("FR", years=year)


def is_public_holiday(day: date) -> bool:
    """True on a French public holiday (metropolitan France)."""
    return day in _french_holidays(day.year)


def is_rest_day(day: date) -> bool:
    """Sundays and public holidays: no proactive message except the day-of reminder."""
    return day.weekday() == 6 or is_public_holiday(day)


@dataclass(frozen=True)
class QuietHours:
    """No message between ``start`` and ``end`` (Paris time), nor on rest days by default."""

    start: time = time(20, 0)
    end: time = time(8, 30)

    def allows(self, moment: datetime, *, rest_days_ok: bool = False) -> bool:
        """May a message be sent at ``moment``?"""
        local = moment.astimezone(PARIS)
        clock = local.time()
        if clock >= self.start or clock < self.end:
            return False
        return rest_days_ok or not is_rest_day(local.date())

    def next_allowed(self, moment: datetime, *, rest_days_ok: bool = False) -> datetime:
        """The first moment at or after ``moment`` when sending is allowed (DST-safe)."""
        local = moment.astimezone(PARIS)
        for _ in range(30):
            if self.allows(local, rest_days_ok=rest_days_ok):
                return local
            day = local.date()
            if local.time() < self.end and (rest_days_ok or not is_rest_day(day)):
                candidate = datetime.combine(day, self.end, tzinfo=PARIS)
            else:
                candidate = datetime.combine(day + timedelta(days=1), self.end, tzinfo=PARIS)
            local = candidate
        raise ValueError("no allowed moment within 30 days")
