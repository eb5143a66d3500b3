"""The fake Bot API on its own event loop, in a thread (benchmarks).

The benches that count Telegram's "30 messages in any second" need the arrival times the
fake records to be the times the requests arrived. On the bench's own loop, busy posting
thousands of updates, a request could wait there and be stamped late, bunched with the
next ones. In a thread with its own loop it is stamped when it is read (the GIL still
interleaves, at a fine grain).

Pushing updates (``push_text`` …) from the bench's thread is safe: in webhook mode nobody
waits on the fake's update queue.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from tests.fakes.telegram_api import FakeTelegramApi


class ThreadedFakeApi:
    """``async with ThreadedFakeApi() as fake:`` — ``fake`` is the running FakeTelegramApi."""

    def __init__(self) -> None:
        self._fake: FakeTelegramApi | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fake-bot-api", daemon=True)

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with FakeTelegramApi() as fake:
            self._fake = fake
            self._ready.set()
            await self._stop.wait()

    async def __aenter__(self) -> FakeTelegramApi:
        self._thread.start()
        if not await asyncio.to_thread(self._ready.wait, 30):
            raise TimeoutError("the fake Bot API did not start")
        assert self._fake is not None
        return self._fake

    async def __aexit__(self, *exc: Any) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        await asyncio.to_thread(self._thread.join, 30)
