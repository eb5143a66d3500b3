"""Run the console with uvicorn inside the current event loop (alone or beside the bot)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import uvicorn

from console.app import create_app
from console.live_integrations import LiveIntegrations
from console.web import ConsoleState, Kick, Mirror
from core.settings import Settings
from store.db import SessionFactory

log = logging.getLogger(__name__)


def https_only(settings: Settings) -> bool:
    """``CONSOLE_HTTPS_ONLY`` (default off for the local http://127.0.0.1:8080)."""
    return settings.console_https_only


async def run_console(
    settings: Settings,
    sessions: SessionFactory,
    *,
    kick: Kick | None = None,
    mirror: Mirror | None = None,
    integrations: Any = None,
    standalone: bool = False,
    mount: Callable[[Any], Any] | None = None,
) -> None:
    """Serve until cancelled (uvicorn shares the loop; no signal handlers of its own).

    ``mount`` wraps the console's ASGI app with more routes (the Telegram webhook)."""
    state = ConsoleState(sessions=sessions, settings=settings, kick=kick, mirror=mirror)
    if integrations is None:
        integrations = LiveIntegrations(clock=state.clock, username=settings.telegram_bot_username)
    state.integrations = integrations
    app: Any = create_app(state, https_only=https_only(settings))
    if mount is not None:
        app = mount(app)
    config = uvicorn.Config(
        app,
        host=settings.console_host,
        port=settings.console_port,
        log_level="warning",
        proxy_headers=False,  # console.addresses.ForwardedFor, from FORWARDED_ALLOW_IPS only
        lifespan="off",
    )
    server = uvicorn.Server(config)
    log.info("console sur http://%s:%d", settings.console_host, settings.console_port)
    if standalone:
        await server.serve()  # uvicorn handles Ctrl-C itself
        return
    try:
        await server._serve()  # no signal handlers: the host process owns them
    except asyncio.CancelledError:
        server.should_exit = True
        await server.shutdown()
        raise
