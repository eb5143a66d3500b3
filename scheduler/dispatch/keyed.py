"""Never twice by SMS: the checks around a keyed channel (:class:`core.ports.KeyedSending`).

Before the channel is called, the row's ``send_started_at`` is committed on its own. Each
message carries the tag ``outbox-<id>-<hash of the row's key>``. A row that comes back with
``send_started_at`` set and not sent (a crash, a timeout, a 5xx: it may have left) waits
:data:`SETTLE` seconds after that moment (the provider records what it took), then the
channel is asked whether a message with that tag left: yes → the row is marked sent (the
channel records it as its own send) and nothing goes again; no → it is sent; the channel
cannot be asked → nothing is sent and it is asked again later, the wait doubling from
:data:`SETTLE` (1 min, 2, 4… up to :data:`BACKOFF_MAX`, 30 min). After :data:`GIVE_UP`
(24 h since the send began) without an answer the row fails with :data:`UNCONFIRMED` and
the counsellor gets one task: it is never sent blind. Telegram has no such key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.i18n import N_
from core.messages import Reply
from core.ports import KeyedSending, TransientDeliveryError
from scheduler.dispatch.rows import Claimed
from store import repo_outbox, repo_programme
from store.db import Session, SessionFactory
from store.programme import add_task

SETTLE = 60.0  # seconds between a possible send and asking the provider about it
BACKOFF_MAX = 1800.0  # at most 30 min between two questions the provider did not answer
GIVE_UP = 86400.0  # 24 h without an answer: the row fails, a counsellor checks
UNCONFIRMED = N_(
    "SMS non confirmé : Brevo n'a pas pu dire pendant 24 heures si ce message est parti. "
    "Il n'a pas été renvoyé. Demandez à la personne si elle l'a reçu."
)


def outbox_tag(row_id: int, key: str) -> str:
    """The tag of an outbox row's message: ``outbox-<id>-<8 hex of sha256(key)>``."""
    return f"outbox-{row_id}-{hashlib.sha256(key.encode()).hexdigest()[:8]}"


def backoff(waited: float) -> float:
    """The wait before asking again, ``waited`` seconds after the send began: 60 s the first
    time (asked after 60 s), then 2, 4, 8, 16 min, then 30 min (a late round keeps the step)."""
    steps = int(waited // SETTLE).bit_length() - 1  # 60-119 s: 0, 120-239 s: 1…
    return min(SETTLE * float(2 ** max(0, steps)), BACKOFF_MAX)


def alert_unconfirmed(session: Session, person_id: int | None, row_id: int, now: datetime) -> None:
    """ONE counsellor task for a row that was never confirmed (its key: the row)."""
    participant = repo_programme.participant_of(session, person_id) if person_id else None
    if participant is None:
        return
    add_task(
        session,
        key=f"sms_unconfirmed:{row_id}",
        participant_id=participant.id,
        counsellor_id=participant.counsellor_id,
        kind="alert",
        rule="sms_unconfirmed",
        reason=UNCONFIRMED,
        now=now,
    )


@dataclass(frozen=True)
class Verdict:
    """What to do with a row before a keyed send: ``send``, ``sent`` (it left already) or
    ``later`` (at ``when``; ``why`` is recorded) or ``failed`` (never confirmed: ``why``)."""

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
            waited = (now - started).total_seconds()
            if waited >= GIVE_UP:
                return Verdict("failed", why=UNCONFIRMED)
            return Verdict("later", now + timedelta(seconds=backoff(waited)), f"not asked: {exc}")
        return Verdict("sent") if left else SEND

    def started(self, row: Claimed) -> bool:
        """Commit ``send_started_at`` (False: the claim was lost, send nothing)."""
        with self.sessions() as session, session.begin():
            return repo_outbox.mark_send_started(session, row.id, self.worker, self.clock())
