"""Telegram wired into the application context: the bot, the staff group, the channel.

The bot is built first (``bot.telegram_bot.make_bot``) so that the staff group, the relay
and the dispatcher's channel get it at construction; then the PTB ``Application`` serving
the assistant (or its child process) and the relay.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.context import AppContext
from bot.telegram_app import build_application
from bot.telegram_bot import make_bot, paid_broadcast_on
from bot.telegram_channel import TelegramChannel, channel_from_settings
from bot.telegram_staff import TelegramStaffGroup
from capabilities.handoff.relay import StaffRelay, install
from core.ports import Handler

__all__ = ["TelegramParts", "channel_from_settings", "wire_telegram"]


@dataclass
class TelegramParts:
    """What serving Telegram adds to a context."""

    application: Any  # telegram.ext.Application: only bot/ imports telegram
    channel: TelegramChannel
    relay: StaffRelay | None


def wire_telegram(
    context: AppContext,
    *,
    handler: Handler | None = None,
    overall_max_rate: float | None = None,
    **options: Any,
) -> TelegramParts:
    """The Application, the relay when ``TELEGRAM_STAFF_CHAT_ID`` is set, and the channel.

    ``handler`` defaults to the context's assistant (``AssistantProcess`` under
    ``ASSISTANT_PROCESS=1``); ``overall_max_rate`` and ``options`` go to the bot and the
    Application (benchmarks and tests turn the bot-wide limit off against the fake API).
    """
    settings = context.settings
    pool = options.pop("connection_pool_size", 16)
    bot = make_bot(
        settings,
        connection_pool_size=pool,
        overall_max_rate=overall_max_rate,
        max_retries=options.pop("max_retries", 3),
        fast_http=options.pop("fast_http", True),
    )
    relay = None
    if settings.telegram_staff_chat_id is not None:
        group = TelegramStaffGroup(settings.telegram_staff_chat_id, bot)
        relay = StaffRelay(
            context.sessions,
            group,
            settings.telegram_staff_chat_id,
            clock=context.clock,
            kick=context.wakeup.kick,
        )
        install(context, relay)
    application = build_application(
        settings, handler or context.assistant, staff_handler=relay, bot=bot, **options
    )
    # The dispatcher's channel: with paid broadcast on (config/cadence.yaml), its messages go
    # with ``allow_paid_broadcast`` and PTB's paid limiter (replies keep the free one). The
    # Application owns the bot's start and stop.
    channel = TelegramChannel(bot, paid_broadcast=paid_broadcast_on())
    context.add_channel(channel)
    return TelegramParts(application, channel, relay)
