"""Group commit: turns that are ready at the same moment share one database transaction.

Under load, many people's turns are ready in the same event-loop iteration (Telegram hands
updates over by the hundred). Running each in its own transaction pays BEGIN, the update
claim, the load and COMMIT once per turn; :class:`TurnGroups` hands every turn queued at
that moment to one call of ``run`` instead. With a single turn in the queue the group is that
turn alone, so a quiet bot answers as fast as before.

``run`` gets the jobs and returns one result (or exception) per job, in order. With
``offload=True`` it runs in a worker thread (PostgreSQL: the event loop keeps reading
updates and sending replies while the database answers); groups never overlap.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

J = TypeVar("J")
R = TypeVar("R")


class TurnGroups(Generic[J, R]):
    """Queue jobs; a single drainer runs them in groups of at most ``max_size``."""

    def __init__(
        self,
        run: Callable[[Sequence[J]], Sequence[R | BaseException]],
        *,
        offload: bool = False,
        max_size: int = 64,
    ) -> None:
        self._run = run
        self._offload = offload
        self._max_size = max_size
        self._queue: list[tuple[J, asyncio.Future[R]]] = []
        self._drainer: asyncio.Task[None] | None = None
        self.sizes: list[int] = []  # group sizes, for benchmarks and tests (bounded below)

    async def submit(self, job: J) -> R:
        """Queue one job and wait for its result (its exception is raised here)."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((job, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        # One pass of the loop first: every turn already woken up joins this group.
        await asyncio.sleep(0)
        while self._queue:
            group = [(job, fut) for job, fut in self._queue[: self._max_size] if not fut.done()]
            del self._queue[: self._max_size]
            if not group:
                continue
            jobs = [job for job, _ in group]
            outcomes: Sequence[R | BaseException]
            try:
                if self._offload:
                    outcomes = await asyncio.to_thread(self._run, jobs)
                else:
                    outcomes = self._run(jobs)
            except Exception as exc:  # run() reports per job; this is a bug in run() itself
                log.exception("a group of %d turns failed", len(jobs))
                outcomes = [exc] * len(jobs)
            except BaseException:  # cancelled (shutdown): nobody waits forever
                for _, future in group:
                    if not future.done():
                        future.cancel()
                raise
            self._record(len(jobs))
            for (_, future), outcome in zip(group, outcomes, strict=True):
                if future.done():  # the caller gave up (shutdown); the turn is committed
                    continue
                if isinstance(outcome, BaseException):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)
            if not self._offload:
                await asyncio.sleep(0)  # let the woken turns queue up behind this group

    def _record(self, size: int) -> None:
        self.sizes.append(size)
        if len(self.sizes) > 10_000:
            del self.sizes[:5_000]
