"""The web chat wired into the application context: the ``web`` channel and its routes."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.routing import BaseRoute

from app.context import AppContext
from core.ports import Handler
from store.webchat_feed import feed_for
from webchat.hub import WebChat
from webchat.routes import build_routes
from webchat.server import WebChatServer


@dataclass
class WebChatParts:
    """What serving the web chat adds: the channel (for the dispatcher) and the routes."""

    chat: WebChat
    server: WebChatServer
    routes: list[BaseRoute]


def wire_webchat(context: AppContext, *, handler: Handler | None = None) -> WebChatParts:
    """Install the ``web`` channel and build its routes for the console's HTTP server."""
    chat = WebChat(
        context.sessions,
        handler or context.assistant,
        clock=context.clock,
        feed=feed_for(context.engine),
    )
    context.add_channel(chat)
    server = WebChatServer.from_settings(chat, context.settings)
    return WebChatParts(chat, server, build_routes(server))
