"""Run the console with uvicorn inside the current event loop (alone or beside the bot)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

import uvicorn
from starlette.routing import BaseRoute

from console.app import create_app
from console.live_integrations import LiveIntegrations
from console.web import ConsoleState, Kick, Mirror
from core.settings import Settings
from store.db import SessionFactory

log = logging.getLogger(__name__)


def https_only(settings: Settings) -> bool:
    """``CONSOLE_HTTPS_ONLY`` (default off for the local http://127.0.0.1:8080)."""
    return settings.console_https_only


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Where to listen. ``X-Forwarded-For``/``-Proto`` are read in one place,
    :class:`console.addresses.ForwardedFor`, from the proxies in ``FORWARDED_ALLOW_IPS`` only
    (never from any client): uvicorn's own ``proxy_headers`` is off."""
    return {
        "host": settings.console_host,
        "port": settings.console_port,
        "log_level": "warning",
        "access_log": False,  # request lines name people's pages; errors are still logged
        "proxy_headers": False,
        # The web chat's frames are small JSON: compressing each one costs the event loop
        # more than it saves on the wire (measured by bench.webchat).
        "ws_per_message_deflate": False,
    }


async def run_console(
    settings: Settings,
    sessions: SessionFactory,
    *,
    kick: Kick | None = None,
    mirror: Mirror | None = None,
    integrations: Any = None,
    standalone: bool = False,
    mount: Callable[[Any], Any] | None = None,
    routes: Sequence[BaseRoute] = (),
) -> None:
    """Serve until cancelled (uvicorn shares the loop; no signal handlers of its own).

    ``routes`` go in front of the console's (``/healthz``, ``/readyz``, ``/metrics``, the web
    chat); ``mount`` wraps the console's ASGI app (the Telegram webhook)."""
    state = ConsoleState(sessions=sessions, settings=settings, kick=kick, mirror=mirror)
    if integrations is None:
        integrations = LiveIntegrations(clock=state.clock, username=settings.telegram_bot_username)
    state.integrations = integrations
    app: Any = create_app(state, https_only=https_only(settings), extra_routes=routes)
    if mount is not None:
        app = mount(app)
    config = uvicorn.Config(
        app,
        lifespan="off",
        timeout_graceful_shutdown=5,  # the web chat's long polls must not hold a restart
        **uvicorn_options(settings),
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
