"""The ports: what the capabilities need from the outside world, and nothing of how.

Adapters implement them: ``bot/`` the Telegram and local channels and the staff group,
``nlu/`` the parsers, ``store/`` the repositories (modules of functions over a session, see
``docs/architecture.md``). Channels translate their own failures into the errors below so
callers can decide (retry later, mark the person unreachable) without importing a channel
library. The clock is :data:`core.clock.Clock`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from core.messages import Incoming, Reply


class DeliveryError(Exception):
    """A message could not be delivered."""


class RecipientBlocked(DeliveryError):
    """The person blocked the bot or deleted their account: do not retry."""


class RetryLater(DeliveryError):
    """The channel asked us to slow down (Telegram ``RetryAfter``)."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class ChannelPaused(RetryLater):
    """The whole channel stopped for a while (SMS credits used up): only its own messages
    wait, the other channels keep going."""


class TransientDeliveryError(DeliveryError):
    """A network error or timeout: retry with backoff."""


class Renders(StrEnum):
    """What a channel can show besides plain text (the rest is described in the text)."""

    BUTTONS = "buttons"
    VENUE = "venue"
    DOCUMENT = "document"


@runtime_checkable
class Channel(Protocol):
    """Something that can deliver replies to a person identified by ``user_ref``."""

    name: str
    renders: frozenset[Renders]

    async def start(self) -> None:
        """Open what sending needs (HTTP clients); called once by the lifecycle."""
        ...

    async def stop(self) -> None:
        """Release it; called once at shutdown."""
        ...

    async def send(self, user_ref: str, replies: Sequence[Reply]) -> None:
        """Deliver the replies in order, or raise a :class:`DeliveryError`."""
        ...


@runtime_checkable
class KeyedSending(Protocol):
    """A channel that can tag a message with our key and later say whether a message with
    that key left (Brevo's SMS ``tag`` and its events). The dispatcher uses it so a message
    that may have left (a crash, a timeout, a 5xx) is never sent twice; Telegram has no such
    key and does not implement it."""

    async def send_keyed(self, user_ref: str, replies: Sequence[Reply], key: str) -> None:
        """Like ``send``, the message carrying ``key``."""
        ...

    async def was_sent(self, key: str, user_ref: str, replies: Sequence[Reply]) -> bool:
        """Did a message carrying ``key`` (``replies`` to ``user_ref``) leave? When it did, the
        channel records it as it records its own sends (Brevo: the delivery row of the
        event's ``messageId``). :class:`TransientDeliveryError` when it cannot be asked now."""
        ...


@runtime_checkable
class Handler(Protocol):
    """What a channel adapter needs from the assistant: one incoming → the replies to send."""

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Answer one thing a person sent."""
        ...


@runtime_checkable
class Redelivering(Protocol):
    """A handler that can take back replies a channel did not accept, to send them later."""

    async def undelivered(self, incoming: Incoming, replies: Sequence[Reply]) -> None:
        """Keep these replies (the outbox) so they reach the person once the channel is back."""
        ...


# The NLU port: free text → Rasa's ``/model/parse`` JSON (intent, entities, ranking).
Parser = Callable[[str], Awaitable[dict[str, Any]]]


class Nlu(Protocol):
    """An NLU service with a lifecycle (the embedded engine, or Rasa in front of it)."""

    async def start(self) -> None:
        """Train or load the model at start-up, not on the first message."""
        ...

    async def parse(self, text: str) -> dict[str, Any]:
        """Parse one message."""
        ...

    async def close(self) -> None:
        """Release HTTP clients."""
        ...


class StaffGroup(Protocol):
    """Where counsellors talk: a forum group with one topic per person."""

    async def create_topic(self, name: str) -> int:
        """Create a topic and return its thread id."""
        ...

    async def post(self, thread_id: int, text: str) -> None:
        """Post a message in a topic."""
        ...


@runtime_checkable
class StaffMedia(Protocol):
    """A staff group that can also post a voice note or a photo in a topic."""

    async def post_media(
        self, thread_id: int, kind: str, data: bytes, mime_type: str, caption: str
    ) -> None:
        """Post the audio (``kind == "voice"``) or the image in a topic."""
        ...
