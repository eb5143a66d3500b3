"""Telegram's bot-wide limit shared by every replica, through Redis (``REDIS_URL``).

:class:`SharedRateLimiter` is a PTB ``BaseRateLimiter``. Around PTB's own
``AIORateLimiter`` (kept for the per-group limits, the paid-broadcast limiter and the
re-sends after a 429), every request addressed to a chat first takes a slot in a moving
window kept in Redis by the ``limits`` library: ``rate`` requests per second for the whole
bot, whatever the number of replicas. A 429 with ``retry_after`` writes a pause into Redis
(a key that expires with the pause): every replica waits it out before its next request.

Telegram counts arrivals, the window counts slots. Two things keep arrivals under the rate
when the event loop is busy: each replica spaces its own sends evenly (never a burst of the
whole window at once), and a send answered more than ``LATE`` after its slot probably arrived
late, bunched with the next ones, so it takes a second slot (the bot slows down a little
instead of going over). ``bench.replicas`` measures the arrivals.

If Redis cannot be reached, the process falls back to a limiter in its own memory (the
same window, for this replica only) and says so in the log, rather than stop sending.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import ConnectionPool, Redis
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, BaseRateLimiter

log = logging.getLogger(__name__)

Callback = Callable[..., Coroutine[Any, Any, Any]]
HEADROOM = 0.9
LATE = 0.05  # seconds between a slot and the answer past which the send counts twice


def _async_uri(url: str) -> str:
    """``limits``' name for the asyncio Redis storage of ``url``."""
    return "async+" + url


class SharedRateLimiter(BaseRateLimiter[int]):
    """``rate`` requests per second to chats, bot-wide, across processes sharing ``prefix``."""

    def __init__(self, redis_url: str, *, rate: float, prefix: str, max_retries: int = 3) -> None:
        self.redis_url = redis_url
        self.prefix = prefix
        # Telegram counts arrivals: a send that waited for a connection or a busy event loop
        # arrives later than it took its slot, bunched with the next ones. A 10 % headroom
        # keeps the arrivals under ``rate`` over any second (bench.replicas measures it).
        per_second = max(1, int(rate * HEADROOM))
        self.item = RateLimitItemPerSecond(per_second, 1)
        # Evenly spaced in this replica: one send every 1/per_second s at most.
        self._spacing = AsyncLimiter(1, 1 / per_second)
        self.late_sends = 0
        self._inner = AIORateLimiter(
            overall_max_rate=0, overall_time_period=0, max_retries=max_retries
        )
        self._redis: Redis | None = None
        self._pool: ConnectionPool | None = None
        self._storage: Storage | None = None
        self._window: MovingWindowRateLimiter | None = None
        self._local: MovingWindowRateLimiter | None = None

    @property
    def pause_key(self) -> str:
        """The Redis key holding a 429 pause (its TTL is what is left of it)."""
        return f"{self.prefix}:pause"

    async def initialize(self) -> None:
        """Connect to Redis (lazily: nothing is sent before the first request)."""
        await self._inner.initialize()
        self._pool = ConnectionPool.from_url(self.redis_url)  # one pool, closed at shutdown
        self._redis = Redis(connection_pool=self._pool)
        self._storage = RedisStorage(
            _async_uri(self.redis_url),
            implementation="redispy",
            key_prefix=self.prefix,
            connection_pool=self._pool,  # type: ignore[arg-type]
        )
        self._window = MovingWindowRateLimiter(self._storage)

    async def shutdown(self) -> None:
        """Close the Redis connections."""
        await self._inner.shutdown()
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None
        if self._pool is not None:
            await self._pool.disconnect()
            self._pool = None

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """Take a shared slot (chat requests), honour the shared pause, then call."""
        counted = data.get("chat_id") is not None and not data.get("allow_paid_broadcast")

        async def guarded(*a: Any, **kw: Any) -> Any:
            await self._wait_pause()
            if counted:
                async with self._spacing:
                    await self._take_slot()
            slot = time.monotonic()
            try:
                return await callback(*a, **kw)
            except RetryAfter as exc:
                await self._pause(exc)
                raise
            finally:
                if counted:
                    await self._count_if_late(time.monotonic() - slot)

        return await self._inner.process_request(
            guarded, args, kwargs, endpoint, data, rate_limit_args
        )

    async def _wait_pause(self) -> None:
        if self._redis is None:
            return
        try:
            left_ms = int(await self._redis.pttl(self.pause_key))
        except Exception:
            self._degrade()
            return
        if left_ms > 0:
            log.info("Telegram asked to wait: pausing %.1f s (all replicas)", left_ms / 1000)
            await asyncio.sleep(left_ms / 1000)

    async def _pause(self, exc: RetryAfter) -> None:
        if self._redis is None:
            return
        value: object = exc.retry_after  # an int or a timedelta, as PTB is configured
        seconds = value.total_seconds() if isinstance(value, timedelta) else float(str(value))
        ms = int(1000 * seconds)
        try:
            current = int(await self._redis.pttl(self.pause_key))
            if ms > current:
                await self._redis.set(self.pause_key, str(time.time() + ms / 1000), px=ms)
        except Exception:
            self._degrade()

    async def _count_if_late(self, elapsed: float) -> None:
        """A send answered ``elapsed`` s after its slot: past ``LATE``, take one more slot
        (waiting for it), so that the bot's next sends make room for the bunched arrival."""
        if elapsed <= LATE:
            return
        self.late_sends += 1
        with contextlib.suppress(Exception):  # never fail a send that went out
            await self._take_slot()

    async def _take_slot(self) -> None:
        while True:
            window = self._local or self._window
            assert window is not None, "initialize() first"
            try:
                if await window.hit(self.item, "sends"):
                    return
                stats = await window.get_window_stats(self.item, "sends")
                await asyncio.sleep(min(1.0, max(0.005, stats.reset_time - time.time())))
            except Exception:
                if self._local is not None:
                    raise
                self._degrade()

    def _degrade(self) -> None:
        if self._local is None:
            log.warning(
                "Redis unreachable at %s: limiting Telegram sends in this replica only",
                self.redis_url,
            )
            self._local = MovingWindowRateLimiter(MemoryStorage())
