"""Claiming due rows (``FOR UPDATE SKIP LOCKED``), giving them back, and finding, as of now,
where each one goes (the SQL is :mod:`store.repo_outbox`)."""

from __future__ import annotations

import os
import secrets
import socket
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from capabilities.programme.rules import Dispatch
from core.i18n import resolve_locale
from core.ports import Channel
from scheduler.dispatch.rows import CHANNEL_PREFERENCE, CONVERSATIONAL, Claimed, Target, by_id
from scheduler.dispatch.unreachable import SMS_STOPPED
from store import channel_pauses, repo_outbox, repo_sms_accounts
from store.db import SessionFactory
from store.models import ChannelAccount


def worker_name() -> str:
    """A unique name for this dispatcher (host, pid, random): claims say who holds them."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(3)}"


class Claims:
    """The rows one dispatcher (``worker``) holds, a batch at a time."""

    def __init__(
        self,
        sessions: SessionFactory,
        channels: Mapping[str, Channel],
        config: Dispatch,
        clock: Callable[[], datetime],
        worker: str,
        batch: int,
        stats: defaultdict[str, int],
    ) -> None:
        self.sessions = sessions
        self.channels = channels
        self.config = config
        self.clock = clock
        self.worker = worker
        self.batch = batch
        self.stats = stats
        self.paused: dict[str, datetime] = {}  # channels paused, as of the last batch

    def fetch(self, urgent_only: bool = False) -> list[tuple[Claimed, Target | None]]:
        """Claim due rows and look up, as of now, where each one goes."""
        claimed = self.claim(urgent_only)
        if not claimed:
            return []
        targets = self.targets([row.person_id for row in claimed])
        with self.sessions() as session:
            self.paused = channel_pauses.active(session, self.clock())
        return [(row, targets.get(row.person_id or 0)) for row in claimed]

    def unclaim(self, ids: list[int]) -> None:
        """Give rows back untouched (claimed ahead, not sent: the attempt does not count)."""
        with self.sessions() as session, session.begin():
            repo_outbox.unclaim(session, ids, self.worker)

    def claim(self, urgent_only: bool = False) -> list[Claimed]:
        """Due rows (and rows whose claim expired), relays first, at most a batch."""
        now = self.clock()
        stale = now - timedelta(seconds=self.config.claim_timeout_seconds)
        out: list[Claimed] = []
        with self.sessions() as session, session.begin():
            # Counsellors' relays first, never behind a broadcast.
            for urgent in (True,) if urgent_only else (True, False):
                room = self.batch - len(out)
                if room <= 0:
                    break
                rows = repo_outbox.claim(
                    session, self.worker, now, stale, room, CONVERSATIONAL, among=urgent
                )
                part = sorted((Claimed(*row) for row in rows), key=by_id)
                out.extend(part)
        self.stats["claimed"] += len(out)
        return out

    def targets(self, person_ids: list[int | None]) -> dict[int, Target]:
        """Consent, ``/stop``, the preferred reachable account and the language of each
        person, now."""
        ids = sorted({pid for pid in person_ids if pid})
        if not ids:
            return {}
        with self.sessions() as session:
            people = repo_outbox.people(session, ids)
            accounts: dict[int, list[ChannelAccount]] = defaultdict(list)
            for account in repo_outbox.reachable_accounts(session, ids):
                if account.channel in self.channels:
                    accounts[account.person_id].append(account)
            off = repo_sms_accounts.unreachable_channels(session, ids)
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
                locale=resolve_locale(person.locale, best.language_code if best else None),
                stopped=SMS_STOPPED if best is None and "sms" in off.get(pid, ()) else None,
            )
        return targets
