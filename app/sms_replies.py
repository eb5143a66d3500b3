"""A turn's replies to an inbound SMS, sent through the same keyed path as the outbox.

The replies become an outbox row (``reply:sms:<number>:<event>``, conversational, a day to
live) claimed by this process with ``send_started_at`` in the same commit, then sent with
the row's tag (``outbox-<id>-<hash>``) and marked sent. If Brevo refuses or does not answer,
the row goes back to the dispatcher, which asks Brevo's events before sending it again
(``scheduler.dispatch.keyed``); if this process dies, the claim expires and the dispatcher
does the same. A re-processed event finds its row already claimed or sent: nothing twice.
While the SMS channel is paused (no credits) the row simply waits in the outbox.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from capabilities.assistant.assistant import REDELIVERY_WINDOW, reply_key
from core.clock import Clock
from core.messages import Incoming, Reply
from core.ports import ChannelPaused, DeliveryError, KeyedSending, TransientDeliveryError
from scheduler.dispatch.claims import worker_name
from scheduler.dispatch.keyed import SETTLE, outbox_tag
from store import channel_pauses, repo_conversation, repo_outbox
from store.db import SessionFactory
from store.outbox import enqueue

log = logging.getLogger(__name__)
ERASED = -1  # no person any more: sent once, right away, nothing kept


@dataclass
class TurnReplies:
    """Sends one turn's replies once (``kick`` wakes the dispatcher for what it takes over)."""

    sessions: SessionFactory
    channel: KeyedSending
    clock: Clock
    kick: Callable[[], None] | None = None
    worker: str = ""

    def __post_init__(self) -> None:
        self.worker = self.worker or f"sms-in:{worker_name()}"[:64]

    async def send(self, incoming: Incoming, replies: Sequence[Reply]) -> None:
        """Queue the replies as a row this process holds, send them, record the outcome."""
        claimed = await asyncio.to_thread(self._queue, incoming, replies)
        if claimed is None:
            return
        row_id, key = claimed
        if row_id == ERASED:  # the turn erased the person (/supprimer): its last answer
            tag = f"inbox-{incoming.update_id}-{outbox_tag(0, key)[-8:]}"
            try:
                await self.channel.send_keyed(incoming.user_ref, replies, tag)
            except DeliveryError as exc:
                log.info("the last answer to an erased person was not sent (%s)", exc)
            return
        try:
            await self.channel.send_keyed(incoming.user_ref, replies, outbox_tag(row_id, key))
        except ChannelPaused as exc:  # refused (402): nothing left, nothing to ask about
            await asyncio.to_thread(self._back, row_id, exc.retry_after, str(exc), True)
        except TransientDeliveryError as exc:  # it may have left: the dispatcher asks Brevo
            await asyncio.to_thread(self._back, row_id, SETTLE, str(exc))
        except DeliveryError as exc:  # refused (400, 429…): the dispatcher's rules decide
            await asyncio.to_thread(self._back, row_id, 0.0, str(exc), True)
        else:
            await asyncio.to_thread(self._sent, row_id)
            return
        if self.kick is not None:
            self.kick()

    def _queue(self, incoming: Incoming, replies: Sequence[Reply]) -> tuple[int, str] | None:
        now = self.clock()
        key = reply_key(incoming)
        with self.sessions() as session, session.begin():
            person_id = repo_conversation.person_id_of(session, incoming.channel, incoming.user_ref)
            if person_id is None:  # erased by this turn: nothing of theirs is kept
                return ERASED, key
            paused = channel_pauses.active(session, now).get(incoming.channel)
            enqueue(
                session,
                key=key,
                person_id=person_id,
                rule="reply",
                replies=replies,
                not_before=paused or now,
                expires_at=now + REDELIVERY_WINDOW,
                ignore_quiet_hours=True,
            )
            if paused is not None:
                log.info("SMS paused: a turn's replies wait in the outbox")
                return None
            row_id = repo_outbox.claim_key(session, key, self.worker, now)
        return (row_id, key) if row_id is not None else None

    def _sent(self, row_id: int) -> None:
        with self.sessions() as session, session.begin():
            repo_outbox.record_outcome(session, row_id, self.worker, "sent", self.clock())

    def _back(self, row_id: int, delay: float, error: str, refused: bool = False) -> None:
        """The row back to the dispatcher (``refused``: Brevo refused the request, so its
        ``send_started_at`` is cleared: nothing left, no events query)."""
        now = self.clock()
        with self.sessions() as session, session.begin():
            repo_outbox.record_outcome(
                session,
                row_id,
                self.worker,
                "pending",
                now,
                error=error,
                not_before=now + timedelta(seconds=delay),
                sent_nothing=refused,
            )
