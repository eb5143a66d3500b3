"""Quiet hours, Sundays and public holidays, across the DST changes."""

from __future__ import annotations

from datetime import date, datetime

from core.calendar import QuietHours, is_public_holiday, is_rest_day
from core.clock import PARIS


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def test_french_public_holidays() -> None:
    assert is_public_holiday(date(2026, 12, 25))
    assert is_public_holiday(date(2027, 5, 8))
    assert not is_public_holiday(date(2026, 12, 1))
    assert is_rest_day(date(2026, 11, 29))  # a Sunday


def test_quiet_hours_evening_and_night() -> None:
    quiet = QuietHours()
    assert quiet.allows(paris(2026, 12, 1, 9, 0))
    assert not quiet.allows(paris(2026, 12, 1, 20, 0))
    assert not quiet.allows(paris(2026, 12, 1, 8, 29))
    assert quiet.next_allowed(paris(2026, 12, 1, 21, 15)) == paris(2026, 12, 2, 8, 30)
    assert quiet.next_allowed(paris(2026, 12, 2, 6, 0)) == paris(2026, 12, 2, 8, 30)


def test_rest_days_are_skipped_unless_allowed() -> None:
    quiet = QuietHours()
    saturday_night = paris(2026, 11, 28, 22, 0)
    assert quiet.next_allowed(saturday_night) == paris(2026, 11, 30, 8, 30)
    assert quiet.next_allowed(saturday_night, rest_days_ok=True) == paris(2026, 11, 29, 8, 30)
    christmas_eve = paris(2026, 12, 24, 21, 0)
    assert quiet.next_allowed(christmas_eve) == paris(2026, 12, 26, 8, 30)


def test_dst_days_keep_wall_clock_times() -> None:
    quiet = QuietHours()
    # Clocks go forward on Sunday 28 March 2027 and back on Sunday 31 October 2027.
    assert quiet.next_allowed(paris(2027, 3, 27, 23, 0), rest_days_ok=True) == paris(
        2027, 3, 28, 8, 30
    )
    after = quiet.next_allowed(paris(2027, 10, 30, 23, 0), rest_days_ok=True)
    assert after.astimezone(PARIS).hour == 8 and after.utcoffset() is not None
    assert after.utcoffset().total_seconds() == 3600  # winter time
