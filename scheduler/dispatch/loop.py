"""The dispatcher's loop: claim a batch (the next one in the background), send each row at
the configured rate, record what happened; sleep when there is nothing to do."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import timedelta
from functools import partial
from typing import Any

from capabilities.programme.rules import Rules
from capabilities.programme.templates import TemplateError, render
from core import metrics
from core.clock import Clock, utcnow
from core.ports import (
    Channel,
    ChannelPaused,
    DeliveryError,
    KeyedSending,
    RecipientBlocked,
    RetryLater,
    TransientDeliveryError,
)
from scheduler.dispatch.claims import Claims, worker_name
from scheduler.dispatch.keyed import KeyedGate, outbox_tag
from scheduler.dispatch.marks import SentMarks
from scheduler.dispatch.outcomes import Outcomes
from scheduler.dispatch.rate import RateLimiter
from scheduler.dispatch.rows import AfterSend, Claimed, Sleep, Target
from scheduler.dispatch.send_time import hold, later
from scheduler.dispatch.unreachable import SMS_STOPPED
from store.db import SessionFactory

log = logging.getLogger("scheduler.dispatch")


class Dispatcher:
    """Drains the outbox through the channel port."""

    def __init__(
        self,
        sessions: SessionFactory,
        channels: Mapping[str, Channel],
        rules: Rules,
        *,
        clock: Clock = utcnow,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        worker: str | None = None,
        after_send: Mapping[str, AfterSend] | None = None,
        batch: int | None = None,
        offload: bool = True,
    ) -> None:
        self.sessions = sessions
        self.channels = dict(channels)
        self.rules = rules
        self.config = rules.dispatch
        self.clock = clock
        self.sleep = sleep
        self.worker = worker or worker_name()
        self.after_send = dict(after_send or {})
        self.limiter = RateLimiter(self.config.rate, monotonic, sleep)
        # Half a second of sending per batch at the free rate (a relay waits at most that),
        # a second at paid-broadcast rates (fewer pauses between batches).
        seconds = 0.5 if self.config.rate <= 100 else 1.0
        self.batch = batch or max(1, min(int(self.config.rate * seconds), 1000))
        self.offload = offload  # run database work in a thread (False: simpler tests)
        self.stats: defaultdict[str, int] = defaultdict(int)
        self.claims = Claims(
            sessions, self.channels, self.config, clock, self.worker, self.batch, self.stats
        )
        self.outcomes = Outcomes(
            sessions, self.config, clock, self.worker, self.after_send, self.stats
        )
        # Above 100 msg/s (paid broadcasts), marks are gathered for 10 ms (see ``SentMarks``).
        self.marks = SentMarks(
            sessions,
            clock,
            self.worker,
            self.after_send,
            self.stats,
            self._db,
            0.0 if self.config.rate <= 100 else 0.01,
        )
        # Channels that tag a message with our key and can be asked about it (SMS).
        self.keyed = KeyedGate(sessions, clock, self.worker)
        self._keyed = {n for n, c in self.channels.items() if isinstance(c, KeyedSending)}
        self._wake: asyncio.Event | None = None
        self._blocked: set[int] = set()  # people who blocked us during this round
        self._prefetched: list[tuple[Claimed, Target | None]] | None = None
        self._kicked = False
        self._in_flight = asyncio.Semaphore(self.config.max_in_flight)

    # --- public API ------------------------------------------------------------------
    def kick(self) -> None:
        """Wake the dispatcher now (a counsellor's reply was just queued)."""
        self._kicked = True
        if self._wake is not None:
            self._wake.set()

    async def drain_once(self) -> int:
        """Claim one batch of due rows and handle them; returns how many were sent.

        While a full batch is being sent, the next one is claimed in the background, so the
        rate does not dip between batches; after :meth:`kick`, relays are claimed first.
        """
        urgent: list[tuple[Claimed, Target | None]] = []
        if self._kicked:
            self._kicked = False
            urgent = await self._db(self.claims.fetch, True)
        batch = (
            self._prefetched if self._prefetched is not None else await self._db(self.claims.fetch)
        )
        self._prefetched = None
        work = urgent + batch
        self.stats["last_claimed"] = len(work)
        if not work:
            await self.marks.idle()
            return 0
        ahead = (
            asyncio.ensure_future(self._db(self.claims.fetch)) if len(batch) >= self.batch else None
        )
        try:
            return await self._send(work)
        finally:
            if ahead is not None:
                self._prefetched = await ahead

    async def release(self) -> None:
        """Give back rows claimed in advance (on shutdown), so nobody waits for the timeout."""
        rows, self._prefetched = self._prefetched or [], None
        if rows:
            await self._db(self.claims.unclaim, [row.id for row, _target in rows])

    async def run(self, stop: asyncio.Event) -> None:
        """Drain until ``stop`` is set; sleep ``poll_seconds`` (or until kicked) when idle."""
        self._wake = asyncio.Event()
        while not stop.is_set():
            self._wake.clear()
            try:
                handled = await self.drain_once()
            except Exception:
                log.exception("dispatch round failed")
                handled = 0
            if handled or self.stats["last_claimed"]:
                continue
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
            await asyncio.wait(
                waiters, timeout=self.config.poll_seconds, return_when=asyncio.FIRST_COMPLETED
            )
            for waiter in waiters:
                waiter.cancel()
        await self.close()

    async def close(self) -> None:
        """Give back rows claimed ahead and close the kept connection."""
        await self.release()
        await self.marks.idle()

    # --- sending ---------------------------------------------------------------------
    async def _db(self, function: Callable[..., Any], *args: Any) -> Any:
        if self.offload:
            return await asyncio.to_thread(function, *args)
        return function(*args)

    async def _send(self, work: list[tuple[Claimed, Target | None]]) -> int:
        self._blocked.clear()
        groups: dict[int | None, list[tuple[Claimed, Target | None]]] = defaultdict(list)
        for row, target in work:
            groups[row.person_id].append((row, target))

        async def one_person(rows: list[tuple[Claimed, Target | None]]) -> int:
            sent = 0
            for row, target in rows:  # one person's messages stay in order
                if target is not None and row.person_id in self._blocked:
                    stopped = SMS_STOPPED if target.channel == "sms" else None
                    target = Target(
                        target.opted_out, target.consent, None, None, target.locale, stopped
                    )
                sent += await self._deliver(row, target)
            return sent

        results = await asyncio.gather(*(one_person(rows) for rows in groups.values()))
        return sum(results)

    async def _deliver(self, row: Claimed, target: Target | None) -> int:
        now = self.clock()
        held = hold(row, target, now, self.channels)
        if held is not None:
            await self._db(partial(self.outcomes.finish, row, held[0], error=held[1]))
            return 0
        postponed = later(row, now, self.rules)
        if postponed is not None:
            await self._db(
                partial(
                    self.outcomes.finish,
                    row,
                    "pending",
                    not_before=postponed,
                    refund=True,
                    error="quiet",
                )
            )
            return 0
        assert target is not None
        assert target.channel is not None
        assert target.user_ref is not None
        pause = self.claims.paused.get(target.channel)
        if pause is not None and pause > now:  # stored by any replica: the row waits
            await self._db(
                partial(
                    self.outcomes.finish,
                    row,
                    "pending",
                    not_before=pause,
                    refund=True,
                    error=f"{target.channel} paused",
                )
            )
            return 0
        try:
            replies = render(row.replies, target.locale)
        except (TemplateError, KeyError, TypeError, ValueError) as exc:
            await self._db(partial(self.outcomes.finish, row, "failed", error=f"render: {exc}"))
            return 0
        channel = self.channels[target.channel]
        keyed = (
            channel if target.channel in self._keyed and isinstance(channel, KeyedSending) else None
        )
        if keyed is not None:
            verdict = await self.keyed.verdict(row, keyed, target.user_ref, replies)
            if verdict.action == "sent":  # it had left before a crash or a lost answer
                log.info("outbox %s: found in the channel's events, not sent again", row.id)
                return 1 if await self.marks.mark(row) else 0
            if verdict.action == "failed":  # never confirmed: a counsellor checks, no resend
                log.warning("outbox %s: never confirmed by the channel, failed", row.id)
                finish = partial(self.outcomes.finish, row, "failed", unconfirmed=True)
                await self._db(partial(finish, error=verdict.why))
                return 0
            if verdict.action == "later":
                await self._db(
                    partial(
                        self.outcomes.finish,
                        row,
                        "pending",
                        not_before=verdict.when,
                        refund=True,
                        error=verdict.why,
                    )
                )
                return 0
            if not await self._db(self.keyed.started, row):
                return 0  # the claim was lost: another dispatcher has it
        outcome: Callable[[], bool]
        # The channel refused the request (400, 402, 429, 401…): nothing left, so a keyed row's
        # send_started_at is cleared and its provider is not asked about it later.
        refused = partial(self.outcomes.finish, row, sent_nothing=True)
        try:
            async with self._in_flight:  # held while sending only, not while recording
                await self.limiter.acquire(max(1, len(replies)))
                if keyed is not None:
                    await keyed.send_keyed(target.user_ref, replies, outbox_tag(row.id, row.key))
                else:
                    await channel.send(target.user_ref, replies)
        except ChannelPaused as exc:  # this channel only: the limiter is not paused
            metrics.sent(target.channel, "outbox", "paused")
            self.claims.paused[target.channel] = self.clock() + timedelta(seconds=exc.retry_after)
            outcome = partial(self.outcomes.paused, row, target.channel, exc.retry_after, str(exc))
        except RetryLater as exc:  # 429: the request was refused
            metrics.sent(target.channel, "outbox", "429")
            self.limiter.pause(exc.retry_after)
            retry = self.clock() + timedelta(seconds=exc.retry_after)
            outcome = partial(refused, "pending", not_before=retry, refund=True, error=str(exc))
        except RecipientBlocked as exc:
            metrics.sent(target.channel, "outbox", "failed")
            self._blocked.add(row.person_id or 0)
            outcome = partial(refused, "failed", error=str(exc), blocked=target)
        except TransientDeliveryError as exc:  # it may have left: send_started_at stays
            metrics.sent(target.channel, "outbox", "failed")
            outcome = partial(self.outcomes.retry, row, str(exc))
        except DeliveryError as exc:  # refused (401, 403…): nothing left
            metrics.sent(target.channel, "outbox", "failed")
            outcome = partial(refused, "failed", error=str(exc))
        except Exception as exc:  # a bug in a channel must not stop the dispatcher
            metrics.sent(target.channel, "outbox", "failed")
            log.exception("outbox %s: unexpected delivery error", row.id)
            outcome = partial(self.outcomes.retry, row, repr(exc))
        else:
            metrics.sent(target.channel, "outbox", "sent")
            return 1 if await self.marks.mark(row) else 0
        await self._db(outcome)
        return 0
