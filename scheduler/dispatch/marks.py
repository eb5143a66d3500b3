"""Marking delivered rows ``sent`` as soon as possible: a group commit on a kept connection
(rows delivered while a commit runs are marked together by the next one; the SQL is
:mod:`store.repo_outbox_marks`)."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from scheduler.dispatch.rows import AfterSend, Claimed
from store.db import Session, SessionFactory
from store.errors import Unavailable
from store.repo_outbox_marks import KeptConnection

log = logging.getLogger("scheduler.dispatch")

RunDb = Callable[..., Awaitable[Any]]


class SentMarks:
    """The "sent" records of one dispatcher (``worker``)."""

    def __init__(
        self,
        sessions: SessionFactory,
        clock: Callable[[], datetime],
        worker: str,
        after_send: Mapping[str, AfterSend],
        stats: defaultdict[str, int],
        run_db: RunDb,
        window: float,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.worker = worker
        self.after_send = after_send
        self.stats = stats
        self.run_db = run_db
        # Paid broadcasts gather marks for ``window`` seconds: fewer commits, at the price of
        # a wider window in which a kill -9 causes a resend.
        self.window = window
        self._delivered: list[Claimed] = []  # sent, waiting for the next group commit
        self._marked: dict[int, bool] = {}
        self._flush_lock = asyncio.Lock()
        self._kept = KeptConnection(sessions)

    async def mark(self, row: Claimed) -> bool:
        """Record ``row`` as sent; False if its claim was lost meanwhile."""
        self._delivered.append(row)
        async with self._flush_lock:
            if self._delivered and self.window:
                await asyncio.sleep(self.window)  # paid broadcasts: gather a few more
            if self._delivered:
                batch, self._delivered = self._delivered, []
                self._marked.update(await self.run_db(self._finish_sent, batch))
        return self._marked.pop(row.id, False)

    async def idle(self) -> None:
        """Nothing to send: the kept connection goes back (reopened with the next batch)."""
        if self._kept.opened:
            await self.run_db(self._kept.close)

    def _finish_sent(self, rows: list[Claimed]) -> dict[int, bool]:
        """Mark delivered rows sent in one transaction (only those whose claim is still ours)."""
        try:
            return self._mark_rows(rows)
        except Unavailable:  # the kept connection broke (database restart): once more, afresh
            log.warning("marking connection lost, reconnecting", exc_info=True)
            return self._mark_rows(rows)

    def _mark_rows(self, rows: list[Claimed]) -> dict[int, bool]:
        now = self.clock()

        def after(marked: set[int]) -> Callable[[Session], None] | None:
            hooked = [r for r in rows if r.rule in self.after_send and r.id in marked]
            if not hooked:
                return None

            def run(session: Session) -> None:
                for row in hooked:
                    if row.person_id:
                        self.after_send[row.rule](session, row.person_id, row.rule, row.key, now)

            return run

        marked = self._kept.mark_sent([row.id for row in rows], self.worker, now, after)
        lost = len(rows) - len(marked)
        if lost:
            log.warning("%d delivered outbox rows had lost their claim", lost)
        self.stats["sent"] += len(marked)
        self.stats["commits"] += 1
        return {row.id: row.id in marked for row in rows}
