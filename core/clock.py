"""An injectable clock, so that every time rule can be tested without sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC (what we store)."""
    return datetime.now(UTC)


def to_paris(moment: datetime) -> datetime:
    """Convert a stored UTC time to Paris time (what we show)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(PARIS)


class FrozenClock:
    """A clock for tests: returns a fixed time until told to move."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs a timezone-aware datetime")
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock forward (same keywords as ``timedelta``)."""
        from datetime import timedelta

        self.now = self.now + timedelta(**delta)

    def advance_to(self, moment: datetime) -> None:
        """Move the clock to ``moment``."""
        self.now = moment
