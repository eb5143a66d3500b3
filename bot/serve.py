"""Production mode, the composition root of ``python -m bot``.

One event loop (ours, not ``run_polling``) runs, side by side:
- the Telegram bot (long polling) serving the assistant, and the staff forum group relay
  when ``TELEGRAM_STAFF_CHAT_ID`` is set;
- the scheduler (cadence planning, appointment reminders, daily jobs) and the outbox
  dispatcher, sending through the same Telegram channel;
- the counsellor console on ``CONSOLE_HOST:CONSOLE_PORT``.
SIGINT/SIGTERM stop everything in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Coroutine
from typing import Any

from core.settings import Settings

log = logging.getLogger(__name__)


async def _serve(settings: Settings) -> None:
    from app.build import build_assistant
    from bot.telegram_app import Handler, build_application, polling
    from bot.telegram_channel import TelegramChannel, paid_broadcast_on
    from console.serve import run_console
    from scheduler import jobs

    assistant = build_assistant(settings)
    assistant.kick = jobs.kick  # undelivered replies go out through the outbox at once
    relay = group = None
    if settings.telegram_staff_chat_id is not None:
        from bot.telegram_staff import staff_relay_for
        from capabilities.handoff.relay import install

        relay, group = staff_relay_for(
            settings.telegram_staff_chat_id,
            assistant.sessions,
            clock=assistant.services.clock,
            kick=jobs.kick,
        )
        install(assistant.services.listeners, relay)
    handler: Handler = assistant
    if settings.assistant_process:
        from bot.assistant_process import AssistantProcess

        handler = AssistantProcess(settings, assistant)
        await handler.start()
    app = build_application(settings, handler, staff_handler=relay)
    if group is not None:
        group.bind(app.bot)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with polling(app, poll_timeout=30):
        # The dispatcher's channel: with paid broadcast on (config/cadence.yaml), its messages
        # go with ``allow_paid_broadcast`` and PTB's paid limiter (replies keep the free one).
        channel = TelegramChannel(app.bot, paid_broadcast=paid_broadcast_on())
        parts: list[Coroutine[Any, Any, None]] = [
            jobs.programme_companion(assistant, channel, settings),
            run_console(
                settings,
                assistant.sessions,
                kick=jobs.kick,
                mirror=relay.mirror if relay is not None else None,
            ),
        ]
        tasks = [asyncio.create_task(part) for part in parts]
        log.info("assistant en ligne : Telegram, planificateur, console")
        await stop.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    await assistant.aclose()


def serve(settings: Settings) -> int:
    """Run until interrupted; return the process exit code."""
    asyncio.run(_serve(settings))
    return 0
