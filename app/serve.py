"""Production mode, ``python -m bot``: one process, one event loop, one application context.

Side by side in that loop:
- the Telegram bot, when ``TELEGRAM_BOT_TOKEN`` is set (long polling, or the webhook and its
  inbox: ``app.telegram_updates``), serving the assistant — or its child process under
  ``ASSISTANT_PROCESS=1`` — and the staff forum group relay when ``TELEGRAM_STAFF_CHAT_ID``
  is set;
- the scheduler (cadence planning, appointment reminders, daily jobs) and the outbox
  dispatcher, sending through the context's channels;
- the counsellor console on ``CONSOLE_HOST:CONSOLE_PORT``, and on the same server the web
  chat (``/chat``, ``/chat/widget.js``: ``webchat/``) — with or without a Telegram token.
SIGINT/SIGTERM stop everything in order; the context releases what it owns last.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from app.build import build_context
from app.context import AppContext
from app.ops import context_routes
from app.sms import wire_sms
from app.telegram import wire_telegram
from app.telegram_updates import Receiving, receive_updates
from app.webchat import wire_webchat
from bot.assistant_process import AssistantProcess
from bot.telegram_app import is_receiving
from console.serve import run_console
from core.metrics import enable_multiprocess
from core.ports import Handler
from core.settings import ConfigError, Settings
from scheduler.jobs import run_programme
from store.single_process import single_process

log = logging.getLogger(__name__)


async def _handler(context: AppContext) -> Handler:
    """The assistant, or its child process (started now, stopped with the context, after the
    channels), for Telegram and the web chat alike."""
    if not context.settings.assistant_process:
        return context.assistant
    # Both processes count turns: their samples are added up at /metrics.
    enable_multiprocess()
    process = AssistantProcess(context.settings, context.assistant)
    await process.start()
    context.on_close(process.aclose)  # idempotent: the Telegram Application may close it first
    return process


async def serve_context(context: AppContext, stop: asyncio.Event) -> None:
    """Serve Telegram (when a token is set), the web chat, the scheduler and the console
    until ``stop`` is set."""
    await context.start()  # the NLU model, before the first update
    handler = await _handler(context)
    webchat = wire_webchat(context, handler=handler)
    sms = wire_sms(context, handler=handler)
    async with contextlib.AsyncExitStack() as stack:
        relay = None
        receiving = Receiving()
        telegram_ready: Callable[[], bool] | None = None
        if context.settings.telegram_bot_token:
            telegram = wire_telegram(context, handler=handler)
            receiving = await stack.enter_async_context(receive_updates(context, telegram, stop))
            relay = telegram.relay
            application, webhook = telegram.application, receiving.webhook is not None

            def telegram_ready() -> bool:
                return is_receiving(application, webhook=webhook)

        await context.start()  # the channels
        mount = receiving.mount
        if sms is not None:
            mount = _chain(receiving.mount, sms.webhook.mount)
            await sms.inbound.drain()  # events recorded before a restart
        parts: list[Coroutine[Any, Any, None]] = [
            run_programme(
                context.sessions,
                context.channels,
                stop,
                clock=context.clock,
                wakeup=context.wakeup,
            ),
            run_console(
                context.settings,
                context.sessions,
                kick=context.wakeup.kick,
                mirror=relay.mirror if relay is not None else None,
                mount=mount,
                routes=[*context_routes(context, telegram=telegram_ready), *webchat.routes],
            ),
        ]
        tasks = [asyncio.create_task(part) for part in parts]
        draining = [asyncio.create_task(part) for part in receiving.tasks]
        log.info("assistant en ligne : %s", ", ".join(context.channels))
        await stop.wait()
        await asyncio.gather(*draining, return_exceptions=True)  # finish the update at hand
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _chain(
    first: Callable[[Any], Any] | None, second: Callable[[Any], Any]
) -> Callable[[Any], Any]:
    """Both endpoints in front of the console (``second`` outermost)."""
    if first is None:
        return second
    return lambda app: second(first(app))


async def _serve(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    with single_process(settings.database_url):  # SQLite: a second replica is refused
        context = build_context(settings)
        try:
            await serve_context(context, stop)
        finally:
            await context.aclose()


def serve(settings: Settings) -> int:
    """Run until interrupted; return the process exit code (2: refused at start)."""
    try:
        asyncio.run(_serve(settings))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0
