"""The outbox dispatcher: claim due rows, check again at send time, send at a steady rate.

- **Claim** (:mod:`.claims`): one ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)``
  on PostgreSQL (two dispatchers never get the same row); the same single statement is
  atomic on SQLite. A claim older than ``claim_timeout_seconds`` was left by a dead
  dispatcher and is retaken.
- **Send time** (:mod:`.send_time`): ``/stop``, consent, reachability, expiry and quiet hours
  are checked again just before sending. Conversational relays (a counsellor answering the
  person) ignore ``/stop`` and quiet hours; ``ignore_quiet_hours`` rows may go out on Sundays
  and holidays but never at night; check-ins and reminders also keep to the programme's
  weekday window.
- **Rate** (:mod:`.rate`): messages evenly spaced at the configured rate, paused on
  ``RetryAfter``.
- **Errors** (:mod:`.outcomes`, :mod:`.unreachable`): ``RetryLater`` pauses the whole
  dispatcher and re-queues the row; ``TransientDeliveryError`` is retried with exponential
  backoff up to ``max_attempts``; ``RecipientBlocked`` marks the person's account
  unreachable and alerts their counsellor.
- **Once** (:mod:`.marks`): each row is marked ``sent`` right after its delivery (group
  commit: rows delivered while a commit runs are marked together by the next one), only if
  the claim is still ours. Between the channel's answer and that commit (a few milliseconds)
  a kill -9 cannot know whether the message left: such a row is sent again once its claim
  expires (at-least-once in that window; Telegram has no idempotency key to do better).
  A keyed channel (SMS, :mod:`.keyed`) closes that window: ``send_started_at`` is committed
  before the call, the message carries the row's tag, and a row that comes back is first
  looked up in the provider's events (found: marked sent, not sent again).
- **Paused channels**: a ``ChannelPaused`` (no SMS credits) is stored in ``channel_pauses``
  (every replica and a restart see it); rows of a paused channel wait until it ends.
- **The loop** (:mod:`.loop`): :class:`Dispatcher` ties them together.
"""

from __future__ import annotations

from scheduler.dispatch.loop import Dispatcher
from scheduler.dispatch.rate import RateLimiter
from scheduler.dispatch.rows import Claimed, Target

__all__ = ["Claimed", "Dispatcher", "RateLimiter", "Target"]
