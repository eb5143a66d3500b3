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
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.telegram_render import send_replies
from core.messages import Reply
from core.ports import DeliveryError, RecipientBlocked, RetryLater, TransientDeliveryError
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


def free_rate() -> float:
    """The bot-wide rate of ``config/cadence.yaml`` (``dispatch.rate_per_second``, ≤ 30/s)."""
    from capabilities.programme.rules import default_rules

    return default_rules().dispatch.rate_per_second


def paid_broadcast_on() -> bool:
    """Is paid broadcast on in ``config/cadence.yaml`` (``dispatch.paid_broadcast``)?"""
    from capabilities.programme.rules import default_rules

    return default_rules().dispatch.paid_broadcast


def rate_limiter(overall_max_rate: float | None = None, *, max_retries: int = 0) -> Any:
    """PTB's limiter: ``overall_max_rate`` messages per second for the whole bot (default:
    :func:`free_rate`; 0 disables it, for benchmarks), paid broadcasts apart (PTB's own
    1000/s limiter for requests sent with ``allow_paid_broadcast``)."""
    from telegram.ext import AIORateLimiter

    rate = free_rate() if overall_max_rate is None else overall_max_rate
    return AIORateLimiter(
        overall_max_rate=rate, overall_time_period=1 if rate else 0, max_retries=max_retries
    )


class TelegramChannel:
    """Deliver replies to a Telegram chat (or forum topic) identified by ``user_ref``.

    ``paid_broadcast``: every message goes with ``allow_paid_broadcast`` (the dispatcher's
    channel when ``dispatch.paid_broadcast`` is on)."""

    name = "telegram"

    def __init__(self, bot: Bot, *, paid_broadcast: bool = False) -> None:
        self.bot = bot
        self.paid_broadcast = paid_broadcast

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
    rates from ``config/cadence.yaml`` unless given."""
    from telegram.ext import ExtBot

    from bot.telegram_app import file_url
    from bot.telegram_http import LeanRequest

    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    bot: ExtBot[Any] = ExtBot(
        settings.telegram_bot_token,
        base_url=settings.telegram_api_url,
        base_file_url=file_url(settings.telegram_api_url),
        request=LeanRequest(8),
        rate_limiter=rate_limiter(overall_max_rate, max_retries=0),
    )
    paid = paid_broadcast_on() if paid_broadcast is None else paid_broadcast
    async with bot:
        yield TelegramChannel(bot, paid_broadcast=paid)
