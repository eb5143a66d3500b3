"""The assistant's turns in a child process (``ASSISTANT_PROCESS=1``): two cores, two GILs.

Under heavy load one interpreter is the ceiling: python-telegram-bot (parsing updates,
sending replies) and the assistant (NLU, database) share one GIL. :class:`AssistantProcess`
is the handler the Telegram bridge talks to; it sends each ``Incoming`` to a child process
(``app/worker.py`` serving ``bot/assistant_worker.py``) over a pipe and gets the replies and
events back. The listeners
(the staff group…) and everything else that needs the assistant's sessions and services —
the scheduler, the console, redelivery of refused replies — stay in this process on the
``local`` assistant.

If the child dies, the turns in flight get the usual apology (their transactions rolled back
with the child: nothing half-done) and the next message starts a new child.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from itertools import count

from bot.assistant_worker import ENV, frame, read_frame
from capabilities.assistant.assistant import Assistant, apology
from core.events import Event
from core.i18n import resolve_locale
from core.logs import pseudonym
from core.messages import Incoming, Reply
from core.settings import Settings

log = logging.getLogger(__name__)

Answer = tuple[list[Reply] | None, list[Event] | None]
WORKER = "app.worker"  # the child's module: its own context, then bot.assistant_worker
RESTART_PAUSE_S = 1.0  # a child that dies at once is restarted at most once a second


class WorkerGone(RuntimeError):
    """The child process ended before answering."""


class AssistantProcess:
    """Telegram handler whose turns run in a child process; listeners run here."""

    def __init__(self, settings: Settings, local: Assistant, *, start_timeout: float = 60) -> None:
        self.settings = settings
        self.local = local
        self.start_timeout = start_timeout
        self._child: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: dict[int, asyncio.Future[Answer]] = {}
        self._ids = count(1)
        self._starting = asyncio.Lock()
        self.restarts = 0
        self._started_at = 0.0

    async def start(self) -> None:
        """Start the child now (not on the first message) and wait until it is ready."""
        await self._ensure()

    async def _ensure(self) -> asyncio.subprocess.Process:
        async with self._starting:
            if self._child is not None and self._child.returncode is None:
                return self._child
            if self._child is not None:
                self.restarts += 1
                log.warning(
                    "the assistant process ended (%s): starting a new one", self._child.returncode
                )
                if asyncio.get_running_loop().time() - self._started_at < RESTART_PAUSE_S:
                    await asyncio.sleep(RESTART_PAUSE_S)  # a child dying at once: no storm
            env = {**os.environ, ENV: self.settings.model_dump_json()}
            child = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                WORKER,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env=env,
                limit=2**24,
            )
            assert child.stdout is not None
            try:
                ready = await asyncio.wait_for(read_frame(child.stdout), self.start_timeout)
            except (TimeoutError, asyncio.IncompleteReadError) as exc:
                with contextlib.suppress(ProcessLookupError):
                    child.kill()
                await child.wait()
                raise WorkerGone("the assistant process did not start") from exc
            if ready != (0, "ready", None):
                raise WorkerGone(f"unexpected first frame from the assistant process: {ready!r}")
            self._child = child
            self._started_at = asyncio.get_running_loop().time()
            self._reader = asyncio.create_task(self._read(child))
            return child

    async def _read(self, child: asyncio.subprocess.Process) -> None:
        assert child.stdout is not None
        try:
            while True:
                ident, replies, events = await read_frame(child.stdout)
                future = self._pending.pop(ident, None)
                if future is not None and not future.done():
                    future.set_result((replies, events))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            await child.wait()
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(WorkerGone("the assistant process ended"))
            self._pending.clear()

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Answer in the child process, then run this process's listeners for its events."""
        ident = next(self._ids)
        try:
            child = await self._ensure()
            assert child.stdin is not None
            future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
            self._pending[ident] = future
            child.stdin.write(frame((ident, incoming)))
            await child.stdin.drain()
            replies, events = await future
        except (WorkerGone, ConnectionError) as exc:
            self._pending.pop(ident, None)
            who = pseudonym(self.settings, incoming.channel, incoming.user_ref)
            log.error("turn lost with the assistant process for %s: %s", who, exc)
            return [apology(resolve_locale(None, incoming.language_code))]
        if replies is None:  # the child logged what went wrong
            return [apology(resolve_locale(None, incoming.language_code))]
        await self.local.announce(events or [])
        return replies

    async def undelivered(self, incoming: Incoming, replies: Sequence[Reply]) -> None:
        """Queue refused replies in the outbox (the local assistant has the database)."""
        await self.local.undelivered(incoming, replies)

    async def aclose(self) -> None:
        """Let the child finish its turns and exit (the local assistant is the context's)."""
        child = self._child
        if child is not None and child.returncode is None:
            assert child.stdin is not None
            child.stdin.close()
            try:
                await asyncio.wait_for(child.wait(), 30)
            except TimeoutError:
                child.kill()
                await child.wait()
        if self._reader is not None:
            await self._reader
