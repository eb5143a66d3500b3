"""The Telegram implementation of the channel port, for the outbox dispatcher and hand-off relay.

PTB errors become the port's errors, so callers decide without importing ``telegram``:
``Forbidden`` → :class:`RecipientBlocked`, ``RetryAfter`` → :class:`RetryLater`,
``NetworkError``/``TimedOut`` → :class:`TransientDeliveryError`.
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
from core.settings import Settings
from flows.messages import Reply
from flows.ports import DeliveryError, RecipientBlocked, RetryLater, TransientDeliveryError

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
    """Deliver replies to a Telegram chat (or forum topic) identified by ``user_ref``."""

    name = "telegram"

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, user_ref: str, replies: Sequence[Reply]) -> None:
        """Deliver the replies in order, or raise a :class:`flows.ports.DeliveryError`."""
        try:
            chat_id, thread_id = parse_user_ref(user_ref)
        except ValueError as exc:
            raise DeliveryError(f"not a Telegram chat: {user_ref!r}") from exc
        try:
            await send_replies(self.bot, chat_id, replies, thread_id=thread_id)
        except TelegramError as exc:
            mapped = to_delivery_error(exc)
            log.info("delivery to %s failed: %s", user_ref, mapped.__class__.__name__)
            raise mapped from exc


@contextlib.asynccontextmanager
async def channel_from_settings(
    settings: Settings, *, overall_max_rate: float = 30.0
) -> AsyncIterator[TelegramChannel]:
    """A Telegram channel without the polling Application (``python -m scheduler serve``)."""
    from telegram.ext import AIORateLimiter, ExtBot

    from bot.telegram_app import file_url
    from bot.telegram_http import LeanRequest

    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    bot: ExtBot[Any] = ExtBot(
        settings.telegram_bot_token,
        base_url=settings.telegram_api_url,
        base_file_url=file_url(settings.telegram_api_url),
        request=LeanRequest(8),
        rate_limiter=AIORateLimiter(overall_max_rate=overall_max_rate, max_retries=0),
    )
    async with bot:
        yield TelegramChannel(bot)
