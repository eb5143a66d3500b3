"""The outbox dispatcher: claim due rows, check again at send time, send at a steady rate.

- **Claim**: one ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`` on PostgreSQL
  (two dispatchers never get the same row); the same single statement is atomic on SQLite.
  A claim older than ``claim_timeout_seconds`` was left by a dead dispatcher and is retaken.
- **Send time**: ``/stop``, consent, reachability, expiry and quiet hours are checked again
  just before sending. Conversational relays (a counsellor answering the person) ignore
  ``/stop`` and quiet hours; ``ignore_quiet_hours`` rows may go out on Sundays and holidays
  but never at night; check-ins and reminders also keep to the programme's weekday window.
- **Errors**: ``RetryLater`` pauses the whole dispatcher and re-queues the row;
  ``TransientDeliveryError`` is retried with exponential backoff up to ``max_attempts``;
  ``RecipientBlocked`` marks the person's account unreachable and alerts their counsellor.
- **Once**: each row is marked ``sent`` right after its delivery (group commit: rows
  delivered while a commit runs are marked together by the next one), only if the claim is
  still ours. Between the channel's answer and that commit (a few milliseconds) a kill -9
  cannot know whether the message left: such a row is sent again once its claim expires
  (at-least-once in that window; Telegram has no idempotency key to do better).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import Connection, and_, or_, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from core.clock import Clock, utcnow
from flows.ports import Channel, DeliveryError, RecipientBlocked, RetryLater, TransientDeliveryError
from scheduler import periods
from scheduler.rules import Rules
from store.db import SessionFactory
from store.models import ChannelAccount, Person
from store.outbox import OutboxMessage, load_replies
from store.programme import Participant, add_task

log = logging.getLogger(__name__)

# Answers in a conversation the person started: not "proactive", so /stop and night do not hold
# them back (the counsellor is answering a question).
CONVERSATIONAL = frozenset({"relay", "reply"})  # reply: a live answer Telegram refused
# Programme messages keep to the check-in window (weekdays, daytime, no holidays).
WINDOWED = frozenset({"weekly_checkin", "checkin_reminder"})
CHANNEL_PREFERENCE = ("telegram", "local")

AfterSend = Callable[[Session, int, str, str, datetime], None]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Claimed:
    """A row this dispatcher holds."""

    id: int
    key: str
    person_id: int | None
    rule: str
    replies: list[dict[str, Any]]
    expires_at: datetime | None
    ignore_quiet_hours: bool
    attempts: int


@dataclass(frozen=True)
class Target:
    """Who the row goes to, as of now."""

    opted_out: bool
    consent: str
    channel: str | None
    user_ref: str | None


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


def _by_id(row: Claimed) -> int:
    return row.id


def worker_name() -> str:
    """A unique name for this dispatcher (host, pid, random): claims say who holds them."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(3)}"


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
        self._wake: asyncio.Event | None = None
        self._blocked: set[int] = set()  # people who blocked us during this round
        self._prefetched: list[tuple[Claimed, Target | None]] | None = None
        self._kicked = False
        self._delivered: list[Claimed] = []  # sent, waiting for the next group commit
        self._marked: dict[int, bool] = {}
        self._flush_lock = asyncio.Lock()
        self._in_flight = asyncio.Semaphore(self.config.max_in_flight)
        self._mark_connection: Connection | None = None
        # Above 100 msg/s (paid broadcasts), marks are gathered for 10 ms: ten times fewer
        # commits, at the price of a wider window in which a kill -9 causes a resend.
        self.mark_window = 0.0 if self.config.rate <= 100 else 0.01
        self.stats: dict[str, int] = defaultdict(int)

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
            urgent = await self._db(self._fetch, True)
        batch = self._prefetched if self._prefetched is not None else await self._db(self._fetch)
        self._prefetched = None
        work = urgent + batch
        self.stats["last_claimed"] = len(work)
        if not work:
            await self._idle()
            return 0
        ahead = asyncio.ensure_future(self._db(self._fetch)) if len(batch) >= self.batch else None
        try:
            return await self._send(work)
        finally:
            if ahead is not None:
                self._prefetched = await ahead

    async def release(self) -> None:
        """Give back rows claimed in advance (on shutdown), so nobody waits for the timeout."""
        rows, self._prefetched = self._prefetched or [], None
        if rows:
            await self._db(self._unclaim, [row.id for row, _target in rows])

    async def _send(self, work: list[tuple[Claimed, Target | None]]) -> int:
        self._blocked.clear()
        groups: dict[int | None, list[tuple[Claimed, Target | None]]] = defaultdict(list)
        for row, target in work:
            groups[row.person_id].append((row, target))

        async def one_person(rows: list[tuple[Claimed, Target | None]]) -> int:
            sent = 0
            for row, target in rows:  # one person's messages stay in order
                if target is not None and row.person_id in self._blocked:
                    target = Target(target.opted_out, target.consent, None, None)
                sent += await self._deliver(row, target)
            return sent

        results = await asyncio.gather(*(one_person(rows) for rows in groups.values()))
        return sum(results)

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

    # --- database ------------------------------------------------------------------------
    async def _db(self, function: Callable[..., Any], *args: Any) -> Any:
        if self.offload:
            return await asyncio.to_thread(function, *args)
        return function(*args)

    def _fetch(self, urgent_only: bool = False) -> list[tuple[Claimed, Target | None]]:
        """Claim due rows and look up, as of now, where each one goes."""
        claimed = self._claim(urgent_only)
        if not claimed:
            return []
        targets = self._targets([row.person_id for row in claimed])
        return [(row, targets.get(row.person_id or 0)) for row in claimed]

    def _unclaim(self, ids: list[int]) -> None:
        with self.sessions() as session, session.begin():
            session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(ids),
                    OutboxMessage.status == "claimed",
                    OutboxMessage.claimed_by == self.worker,
                )
                .values(
                    status="pending",
                    claimed_by=None,
                    claimed_at=None,
                    attempts=OutboxMessage.attempts - 1,
                )
                .execution_options(synchronize_session=False)
            )

    def _claim(self, urgent_only: bool = False) -> list[Claimed]:
        now = self.clock()
        stale = now - timedelta(seconds=self.config.claim_timeout_seconds)
        claimable = or_(
            and_(OutboxMessage.status == "pending", OutboxMessage.not_before <= now),
            and_(OutboxMessage.status == "claimed", OutboxMessage.claimed_at < stale),
        )
        out: list[Claimed] = []
        with self.sessions() as session, session.begin():
            # Counsellors' relays first, never behind a broadcast.
            for urgent in (True,) if urgent_only else (True, False):
                room = self.batch - len(out)
                if room <= 0:
                    break
                rule = (
                    OutboxMessage.rule.in_(CONVERSATIONAL)
                    if urgent
                    else OutboxMessage.rule.not_in(CONVERSATIONAL)
                )
                due = (
                    select(OutboxMessage.id)
                    .where(claimable, rule)
                    .order_by(OutboxMessage.not_before, OutboxMessage.id)
                    .limit(room)
                    .with_for_update(skip_locked=True)
                    # Evaluated once: as an IN (subquery), PostgreSQL may rescan it per row,
                    # and SKIP LOCKED then skips the rows just claimed and the LIMIT is lost.
                    .cte("due")
                    .prefix_with("MATERIALIZED", dialect="postgresql")
                )
                statement = (
                    update(OutboxMessage)
                    .where(OutboxMessage.id == due.c.id, claimable)
                    .values(
                        status="claimed",
                        claimed_by=self.worker,
                        claimed_at=now,
                        attempts=OutboxMessage.attempts + 1,
                    )
                    .returning(
                        OutboxMessage.id,
                        OutboxMessage.idempotency_key,
                        OutboxMessage.person_id,
                        OutboxMessage.rule,
                        OutboxMessage.replies,
                        OutboxMessage.expires_at,
                        OutboxMessage.ignore_quiet_hours,
                        OutboxMessage.attempts,
                    )
                    .execution_options(synchronize_session=False)
                )
                part = sorted((Claimed(*row) for row in session.execute(statement)), key=_by_id)
                out.extend(part)
        self.stats["claimed"] += len(out)
        return out

    def _targets(self, person_ids: list[int | None]) -> dict[int, Target]:
        ids = sorted({pid for pid in person_ids if pid})
        if not ids:
            return {}
        with self.sessions() as session:
            people = {
                person.id: person
                for person in session.scalars(select(Person).where(Person.id.in_(ids)))
            }
            accounts: dict[int, list[ChannelAccount]] = defaultdict(list)
            for account in session.scalars(
                select(ChannelAccount).where(
                    ChannelAccount.person_id.in_(ids), ChannelAccount.unreachable_at.is_(None)
                )
            ):
                if account.channel in self.channels:
                    accounts[account.person_id].append(account)
        targets = {}
        for pid, person in people.items():
            ranked = sorted(
                accounts.get(pid, []),
                key=lambda a: (
                    CHANNEL_PREFERENCE.index(a.channel)
                    if a.channel in CHANNEL_PREFERENCE
                    else len(CHANNEL_PREFERENCE)
                ),
            )
            best = ranked[0] if ranked else None
            targets[pid] = Target(
                opted_out=person.proactive_opt_out,
                consent=person.consent,
                channel=best.channel if best else None,
                user_ref=best.external_ref if best else None,
            )
        return targets

    def _finish(
        self,
        row: Claimed,
        status: str,
        *,
        error: str | None = None,
        not_before: datetime | None = None,
        refund: bool = False,
        blocked: Target | None = None,
    ) -> bool:
        """Record the outcome, only if the claim is still ours (one transaction)."""
        now = self.clock()
        values: dict[str, Any] = {"status": status, "last_error": error}
        if status == "sent":
            values["sent_at"] = now
        if status == "pending":
            values.update(claimed_by=None, claimed_at=None, not_before=not_before or now)
        if refund:  # a postponement is not a failed attempt
            values["attempts"] = OutboxMessage.attempts - 1
        with self.sessions() as session, session.begin():
            result = session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == row.id,
                    OutboxMessage.status == "claimed",
                    OutboxMessage.claimed_by == self.worker,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if getattr(result, "rowcount", 0) != 1:
                log.warning("outbox %s: claim lost before recording %s", row.id, status)
                return False
            if status == "sent" and row.person_id and row.rule in self.after_send:
                self.after_send[row.rule](session, row.person_id, row.rule, row.key, now)
            if blocked is not None and row.person_id:
                self._unreachable(session, row.person_id, blocked, now)
        self.stats[status] += 1
        return True

    def _unreachable(self, session: Session, person_id: int, target: Target, now: datetime) -> None:
        session.execute(
            update(ChannelAccount)
            .where(
                ChannelAccount.person_id == person_id,
                ChannelAccount.channel == target.channel,
                ChannelAccount.external_ref == target.user_ref,
            )
            .values(unreachable_at=now)
        )
        participant = session.scalars(
            select(Participant).where(Participant.person_id == person_id)
        ).one_or_none()
        if participant is not None:
            add_task(
                session,
                key=f"participant_unreachable:{participant.id}:{now.date().isoformat()}",
                participant_id=participant.id,
                counsellor_id=participant.counsellor_id,
                kind="alert",
                rule="participant_unreachable",
                reason="La personne a bloqué l'assistant ou supprimé son compte Telegram : "
                "plus aucun message ne lui parvient. Contactez-la par téléphone.",
                now=now,
            )

    # --- one row ------------------------------------------------------------------------
    def _hold(self, row: Claimed, target: Target | None, now: datetime) -> tuple[str, str] | None:
        """Why this row must not go out now (status, reason), or ``None`` to send it."""
        if row.expires_at is not None and row.expires_at <= now:
            return "skipped", "expired"
        if row.person_id is None or target is None:
            return "failed", "no recipient"
        conversational = row.rule in CONVERSATIONAL
        if target.consent != "given":
            return "skipped", "no consent"
        if target.opted_out and not conversational:
            return "skipped", "opted out (/stop)"
        if target.channel is None or target.channel not in self.channels:
            return "skipped", "unreachable"
        return None

    def _later(self, row: Claimed, now: datetime) -> datetime | None:
        """When quiet hours (or the check-in window) allow this row, if not now."""
        if row.rule in CONVERSATIONAL:
            return None
        quiet = self.rules.quiet
        if not quiet.allows(now, rest_days_ok=row.ignore_quiet_hours):
            return quiet.next_allowed(now, rest_days_ok=row.ignore_quiet_hours)
        if row.rule in WINDOWED:
            moment = periods.next_window_moment(now, self.rules)
            if moment is None or moment > now:
                return moment or now + timedelta(days=1)
        return None

    async def _deliver(self, row: Claimed, target: Target | None) -> int:
        now = self.clock()
        hold = self._hold(row, target, now)
        if hold is not None:
            await self._db(partial(self._finish, row, hold[0], error=hold[1]))
            return 0
        later = self._later(row, now)
        if later is not None:
            await self._db(
                partial(self._finish, row, "pending", not_before=later, refund=True, error="quiet")
            )
            return 0
        assert target is not None
        assert target.channel is not None
        assert target.user_ref is not None
        replies = load_replies(row.replies)
        outcome: Callable[[], bool]
        try:
            async with self._in_flight:  # held while sending only, not while recording
                await self.limiter.acquire(max(1, len(replies)))
                await self.channels[target.channel].send(target.user_ref, replies)
        except RetryLater as exc:
            self.limiter.pause(exc.retry_after)
            retry = self.clock() + timedelta(seconds=exc.retry_after)
            outcome = partial(
                self._finish, row, "pending", not_before=retry, refund=True, error=str(exc)
            )
        except RecipientBlocked as exc:
            self._blocked.add(row.person_id or 0)
            outcome = partial(self._finish, row, "failed", error=str(exc), blocked=target)
        except TransientDeliveryError as exc:
            outcome = partial(self._retry, row, str(exc))
        except DeliveryError as exc:
            outcome = partial(self._finish, row, "failed", error=str(exc))
        except Exception as exc:  # a bug in a channel must not stop the dispatcher
            log.exception("outbox %s: unexpected delivery error", row.id)
            outcome = partial(self._retry, row, repr(exc))
        else:
            return 1 if await self._mark_sent(row) else 0
        await self._db(outcome)
        return 0

    async def _mark_sent(self, row: Claimed) -> bool:
        """Group commit: rows delivered while a commit runs are marked together right after."""
        self._delivered.append(row)
        async with self._flush_lock:
            if self._delivered and self.mark_window:
                await asyncio.sleep(self.mark_window)  # paid broadcasts: gather a few more
            if self._delivered:
                batch, self._delivered = self._delivered, []
                self._marked.update(await self._db(self._finish_sent, batch))
        return self._marked.pop(row.id, False)

    def _marker(self) -> Connection:
        """A connection kept for marking rows sent: no pool checkout, no ping, one round trip
        less between a delivery and its record (used under the flush lock only)."""
        if self._mark_connection is None or self._mark_connection.closed:
            engine = self.sessions.kw["bind"]
            connection = engine.connect()
            if connection.dialect.name == "postgresql":
                # No fsync wait per mark: should the *database server* crash right after, a few
                # rows would be sent again (at-least-once); a dispatcher crash loses nothing.
                connection.execute(text("SET synchronous_commit TO OFF"))
                connection.commit()
            self._mark_connection = connection
        return self._mark_connection

    def _finish_sent(self, rows: list[Claimed]) -> dict[int, bool]:
        """Mark delivered rows sent in one transaction (only those whose claim is still ours)."""
        try:
            return self._mark_rows(rows)
        except DBAPIError:  # the kept connection broke (database restart): once more, afresh
            log.warning("marking connection lost, reconnecting", exc_info=True)
            if self._mark_connection is not None:
                self._mark_connection.invalidate()
                self._mark_connection = None
            return self._mark_rows(rows)

    def _mark_rows(self, rows: list[Claimed]) -> dict[int, bool]:
        now = self.clock()
        connection = self._marker()
        with connection.begin():
            marked = set(
                connection.scalars(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.id.in_([row.id for row in rows]),
                        OutboxMessage.status == "claimed",
                        OutboxMessage.claimed_by == self.worker,
                    )
                    .values(status="sent", sent_at=now, last_error=None)
                    .returning(OutboxMessage.id)
                )
            )
            hooked = [r for r in rows if r.rule in self.after_send and r.id in marked]
            if hooked:
                with Session(bind=connection) as session:
                    for row in hooked:
                        if row.person_id:
                            self.after_send[row.rule](
                                session, row.person_id, row.rule, row.key, now
                            )
                    session.flush()
        lost = len(rows) - len(marked)
        if lost:
            log.warning("%d delivered outbox rows had lost their claim", lost)
        self.stats["sent"] += len(marked)
        self.stats["commits"] += 1
        return {row.id: row.id in marked for row in rows}

    async def close(self) -> None:
        """Give back rows claimed ahead and close the kept connection."""
        await self.release()
        await self._idle()

    async def _idle(self) -> None:
        """Nothing to send: the kept connection goes back (reopened with the next batch)."""
        if self._mark_connection is not None:
            connection, self._mark_connection = self._mark_connection, None
            await self._db(connection.close)

    def _retry(self, row: Claimed, error: str) -> bool:
        config = self.config
        if row.attempts >= config.max_attempts:
            return self._finish(row, "failed", error=f"gave up after {row.attempts}: {error}")
        delay = min(
            config.backoff_base_seconds * 2 ** (row.attempts - 1), config.backoff_max_seconds
        )
        return self._finish(
            row, "pending", not_before=self.clock() + timedelta(seconds=delay), error=error
        )
