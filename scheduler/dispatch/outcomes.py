"""Recording what happened to a row: sent, postponed, failed, skipped — and retries of
network errors with exponential backoff."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from capabilities.programme.rules import Dispatch
from scheduler.dispatch.keyed import alert_unconfirmed
from scheduler.dispatch.rows import AfterSend, Claimed, Target
from scheduler.dispatch.unreachable import mark_unreachable
from store import channel_pauses, repo_outbox
from store.db import SessionFactory

log = logging.getLogger("scheduler.dispatch")


class Outcomes:
    """Writes one row's outcome, only while this dispatcher (``worker``) still holds it."""

    def __init__(
        self,
        sessions: SessionFactory,
        config: Dispatch,
        clock: Callable[[], datetime],
        worker: str,
        after_send: Mapping[str, AfterSend],
        stats: defaultdict[str, int],
    ) -> None:
        self.sessions = sessions
        self.config = config
        self.clock = clock
        self.worker = worker
        self.after_send = after_send
        self.stats = stats

    def finish(
        self,
        row: Claimed,
        status: str,
        *,
        error: str | None = None,
        not_before: datetime | None = None,
        refund: bool = False,
        blocked: Target | None = None,
        unconfirmed: bool = False,
        sent_nothing: bool = False,
    ) -> bool:
        """Record the outcome, only if the claim is still ours (one transaction).
        ``sent_nothing``: the channel refused the request (400, 402, 429), so a keyed row's
        ``send_started_at`` is cleared and its provider is not asked about it later."""
        now = self.clock()
        with self.sessions() as session, session.begin():
            recorded = repo_outbox.record_outcome(
                session,
                row.id,
                self.worker,
                status,
                now,
                error=error,
                not_before=not_before,
                refund=refund,  # a postponement is not a failed attempt
                sent_nothing=sent_nothing,
            )
            if not recorded:
                log.warning("outbox %s: claim lost before recording %s", row.id, status)
                return False
            if status == "sent" and row.person_id and row.rule in self.after_send:
                self.after_send[row.rule](session, row.person_id, row.rule, row.key, now)
            if blocked is not None and row.person_id:
                mark_unreachable(session, row.person_id, blocked, now)
            if unconfirmed:  # the provider never said whether it left: one task
                alert_unconfirmed(session, row.person_id, row.id, now)
        self.stats[status] += 1
        return True

    def paused(self, row: Claimed, channel: str, seconds: float, error: str) -> bool:
        """The channel stopped (no SMS credits): stored for every replica and a restart
        (``channel_pauses``); the row waits until the pause ends (the attempt refunded)."""
        now = self.clock()
        until = now + timedelta(seconds=seconds)
        with self.sessions() as session, session.begin():
            channel_pauses.pause(session, channel, until, error, now)
            recorded = repo_outbox.record_outcome(
                session,
                row.id,
                self.worker,
                "pending",
                now,
                error=error,
                not_before=until,
                refund=True,
                sent_nothing=True,  # refused (402): nothing left
            )
        if recorded:
            self.stats["pending"] += 1
        return recorded

    def retry(self, row: Claimed, error: str) -> bool:
        """A network error: again after ``base × 2^(attempt-1)`` (capped), or give up."""
        config = self.config
        if row.attempts >= config.max_attempts:
            return self.finish(row, "failed", error=f"gave up after {row.attempts}: {error}")
        delay = min(
            config.backoff_base_seconds * 2 ** (row.attempts - 1), config.backoff_max_seconds
        )
        return self.finish(
            row, "pending", not_before=self.clock() + timedelta(seconds=delay), error=error
        )
