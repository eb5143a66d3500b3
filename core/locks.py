"""One lock per key (a person, a chat), FIFO, forgotten as soon as nobody holds or waits.

Used by the assistant (one turn at a time per person) and by the Telegram adapter (one
update at a time per chat, replies included): a bot that met 90,000 people must not keep
90,000 locks forever.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class KeyedLocks(Generic[K]):
    """``async with locks.hold(key):`` — holders of one key run one at a time, in order."""

    def __init__(self) -> None:
        self._locks: dict[K, tuple[asyncio.Lock, list[int]]] = {}

    def __len__(self) -> int:
        """How many keys are held or awaited now."""
        return len(self._locks)

    @contextlib.asynccontextmanager
    async def hold(self, key: K) -> AsyncIterator[None]:
        """Wait for the earlier holders of ``key`` (asyncio locks are FIFO), then hold it."""
        lock, users = self._locks.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if not users[0]:
                del self._locks[key]
