"""The Telegram implementation of the channel port, for the outbox dispatcher and hand-off relay.

PTB errors become the port's errors, so callers decide without importing ``telegram``:
``Forbidden`` → :class:`RecipientBlocked`, ``RetryAfter`` → :class:`RetryLater`,
``NetworkError``/``TimedOut`` → :class:`TransientDeliveryError`.

Rates (``config/cadence.yaml``, ``dispatch``): PTB's :class:`AIORateLimiter` keeps the whole
bot at the free broadcast rate (``rate_per_second``, at most Telegram's 30 messages a second,
replies to people included). With ``paid_broadcast: true`` the dispatcher's channel sends
with ``allow_paid_broadcast`` — Telegram then allows up to 1000 messages a second for a fee in
Stars — and PTB throttles those requests with its own paid-broadcast limiter (1000 a second)
instead of the overall one; the dispatcher spaces them at ``paid_rate_per_second``. Raising
the overall limit instead would not do: Telegram refuses (429) free messages beyond ~30 a
second, and the overall limit also paces the replies to people's messages.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.telegram_bot import make_bot, paid_broadcast_on
from bot.telegram_render import send_replies
from core.messages import Reply
from core.ports import (
    DeliveryError,
    RecipientBlocked,
    Renders,
    RetryLater,
    TransientDeliveryError,
)
from core.settings import Settings

log = logging.getLogger(__name__)


def parse_user_ref(user_ref: str) -> tuple[int, int | None]:
    """``"123"`` → chat 123; ``"-100123:45"`` → forum topic 45 of supergroup -100123."""
    chat, _, thread = user_ref.partition(":")
    return int(chat), int(thread) if thread else None


def retry_after_seconds(error: RetryAfter) -> float:
    """Seconds Telegram asked us to wait, whatever PTB's representation of the duration."""
    value: object = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(str(value))


def to_delivery_error(error: TelegramError) -> DeliveryError:
    """Translate a PTB error into the channel port's vocabulary."""
    if isinstance(error, Forbidden):
        return RecipientBlocked(str(error))
    if isinstance(error, RetryAfter):
        return RetryLater(retry_after_seconds(error))
    if isinstance(error, BadRequest):
        # A request Telegram will never accept (chat not found, bad markup): retrying is useless.
        return DeliveryError(str(error))
    if isinstance(error, NetworkError):  # includes TimedOut
        return TransientDeliveryError(str(error))
    return DeliveryError(str(error))


class TelegramChannel:
    """Deliver replies to a Telegram chat (or forum topic) identified by ``user_ref``.

    ``paid_broadcast``: every message goes with ``allow_paid_broadcast`` (the dispatcher's
    channel when ``dispatch.paid_broadcast`` is on)."""

    name = "telegram"
    renders = frozenset({Renders.BUTTONS, Renders.VENUE, Renders.DOCUMENT})

    def __init__(self, bot: Bot, *, paid_broadcast: bool = False, owns_bot: bool = False) -> None:
        self.bot = bot
        self.paid_broadcast = paid_broadcast
        # The polling Application initialises and shuts down its own bot; a channel built
        # alone (the scheduler served without the bot) owns its bot and its HTTP pool.
        self.owns_bot = owns_bot

    async def start(self) -> None:
        """Open the bot's HTTP clients when this channel owns the bot."""
        if self.owns_bot:
            await self.bot.initialize()

    async def stop(self) -> None:
        """Close them."""
        if self.owns_bot:
            await self.bot.shutdown()

    async def send(self, user_ref: str, replies: Sequence[Reply]) -> None:
        """Deliver the replies in order, or raise a :class:`core.ports.DeliveryError`."""
        try:
            chat_id, thread_id = parse_user_ref(user_ref)
        except ValueError as exc:
            raise DeliveryError(f"not a Telegram chat: {user_ref!r}") from exc
        try:
            await send_replies(
                self.bot, chat_id, replies, thread_id=thread_id, paid_broadcast=self.paid_broadcast
            )
        except TelegramError as exc:
            mapped = to_delivery_error(exc)
            log.info("delivery to %s failed: %s", user_ref, mapped.__class__.__name__)
            raise mapped from exc


@contextlib.asynccontextmanager
async def channel_from_settings(
    settings: Settings,
    *,
    overall_max_rate: float | None = None,
    paid_broadcast: bool | None = None,
) -> AsyncIterator[TelegramChannel]:
    """A Telegram channel without the polling Application (``python -m scheduler serve``);
    rates from ``config/cadence.yaml`` unless given. It owns its bot: started and stopped here."""
    bot = make_bot(settings, connection_pool_size=8, overall_max_rate=overall_max_rate)
    paid = paid_broadcast_on() if paid_broadcast is None else paid_broadcast
    channel = TelegramChannel(bot, paid_broadcast=paid, owns_bot=True)
    await channel.start()
    try:
        yield channel
    finally:
        await channel.stop()
