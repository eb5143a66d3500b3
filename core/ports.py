"""The channel port: how flows and the scheduler send without knowing Telegram.

``bot/`` implements :class:`Channel`; the outbox dispatcher and the hand-off relay use it.
Channels translate their own failures into the errors below so callers can decide
(retry later, mark the person unreachable) without importing a channel library.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from core.messages import Reply


class DeliveryError(Exception):
    """A message could not be delivered."""


class RecipientBlocked(DeliveryError):
    """The person blocked the bot or deleted their account: do not retry."""


class RetryLater(DeliveryError):
    """The channel asked us to slow down (Telegram ``RetryAfter``)."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class TransientDeliveryError(DeliveryError):
    """A network error or timeout: retry with backoff."""


class Channel(Protocol):
    """Something that can deliver replies to a person identified by ``user_ref``."""

    name: str

    async def send(self, user_ref: str, replies: Sequence[Reply]) -> None:
        """Deliver the replies in order, or raise a :class:`DeliveryError`."""
        ...
