"""Sending at a steady rate: ``rate`` messages per second overall, paused on ``RetryAfter``."""

from __future__ import annotations

from collections.abc import Callable

from scheduler.dispatch.rows import Sleep


class RateLimiter:
    """Spaces messages evenly: ``rate`` per second overall, with pauses on ``RetryAfter``."""

    def __init__(self, rate: float, monotonic: Callable[[], float], sleep: Sleep) -> None:
        self.rate = rate
        self.burst = rate * 0.02 if rate > 100 else 0.0
        self.monotonic = monotonic
        self.sleep = sleep
        self._next = 0.0

    async def acquire(self, count: int = 1) -> None:
        """Wait for the slot of ``count`` messages."""
        now = self.monotonic()
        # Above 100 msg/s, a token bucket of 20 ms worth of messages: a late timer wake-up
        # (the event loop's resolution is about a millisecond) is caught up, not lost.
        # At Telegram's free 30 msg/s the spacing stays strict.
        start = max(self._next, now - self.burst / self.rate)
        self._next = start + count / self.rate
        if start > now:
            await self.sleep(start - now)

    def pause(self, seconds: float) -> None:
        """Nothing goes out for ``seconds`` (the channel asked us to slow down)."""
        self._next = max(self._next, self.monotonic() + seconds)
