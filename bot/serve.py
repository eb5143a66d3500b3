"""Production mode: Telegram long polling, plus what registers itself (scheduler, console).

The event loop is ours (not ``run_polling``) so that other long-running parts can share it;
SIGINT/SIGTERM stop everything in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Coroutine
from typing import Any

from core.settings import Settings

log = logging.getLogger(__name__)

# Other long-running parts (scheduler, console) register a coroutine factory here:
# it gets the assistant and the channel and runs until cancelled.
Companion = Callable[..., Coroutine[Any, Any, None]]
COMPANIONS: list[Companion] = []


def _register_programme() -> None:
    """The RSA programme's scheduler and outbox dispatcher run next to the bot."""
    from scheduler.jobs import programme_companion

    COMPANIONS.append(programme_companion)


_register_programme()


async def _serve(settings: Settings) -> None:
    from bot.telegram_app import build_application, polling
    from bot.telegram_channel import TelegramChannel
    from core.wiring import build_assistant

    assistant = build_assistant(settings)
    app = build_application(settings, assistant)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with polling(app, poll_timeout=30):
        channel = TelegramChannel(app.bot)
        tasks: list[asyncio.Task[None]] = [
            asyncio.create_task(start(assistant, channel, settings)) for start in COMPANIONS
        ]
        log.info("assistant en ligne sur Telegram (%d compagnons)", len(tasks))
        await stop.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def serve(settings: Settings) -> int:
    """Run until interrupted; return the process exit code."""
    asyncio.run(_serve(settings))
    return 0
