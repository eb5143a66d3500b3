"""Never twice by SMS: the checks around a keyed channel (:class:`core.ports.KeyedSending`).

Before the channel is called, the row's ``send_started_at`` is committed on its own. Each
message carries the tag ``outbox-<id>-<hash of the row's key>``. A row that comes back with
``send_started_at`` set and not sent (a crash, a timeout, a 5xx: it may have left) waits
:data:`SETTLE` seconds after that moment (the provider records what it took), then the
channel is asked whether a message with that tag left: yes → the row is marked sent (the
channel records it as its own send: Brevo's delivery row) and nothing goes again; no → it
is sent; the channel cannot be asked → nothing is sent and it is asked again :data:`SETTLE`
seconds later. Telegram has no such key: it is not concerned.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.messages import Reply
from core.ports import KeyedSending, TransientDeliveryError
from scheduler.dispatch.rows import Claimed
from store import repo_outbox
from store.db import SessionFactory

SETTLE = 60.0  # seconds between a possible send and asking the provider about it


def outbox_tag(row_id: int, key: str) -> str:
    """The tag of an outbox row's message: ``outbox-<id>-<8 hex of sha256(key)>``."""
    return f"outbox-{row_id}-{hashlib.sha256(key.encode()).hexdigest()[:8]}"


@dataclass(frozen=True)
class Verdict:
    """What to do with a row before a keyed send: ``send``, ``sent`` (it left already) or
    ``later`` (at ``when``; ``why`` is recorded)."""

    action: str
    when: datetime | None = None
    why: str = ""


SEND = Verdict("send")


@dataclass
class KeyedGate:
    """The checks of one dispatcher (``worker``)."""

    sessions: SessionFactory
    clock: Callable[[], datetime]
    worker: str

    async def verdict(
        self, row: Claimed, channel: KeyedSending, user_ref: str, replies: Sequence[Reply]
    ) -> Verdict:
        """May this row (``replies`` to ``user_ref``) go out now through ``channel``?"""
        started = row.send_started_at
        if started is None:
            return SEND
        now = self.clock()
        settled = started + timedelta(seconds=SETTLE)
        if now < settled:
            return Verdict("later", settled, "may have left: waiting before asking the provider")
        try:
            left = await channel.was_sent(outbox_tag(row.id, row.key), user_ref, replies)
        except TransientDeliveryError as exc:
            return Verdict("later", now + timedelta(seconds=SETTLE), f"not asked: {exc}")
        return Verdict("sent") if left else SEND

    def started(self, row: Claimed) -> bool:
        """Commit ``send_started_at`` (False: the claim was lost, send nothing)."""
        with self.sessions() as session, session.begin():
            return repo_outbox.mark_send_started(session, row.id, self.worker, self.clock())
