"""Web chat fixtures: the real context on a fresh database, the console app with /chat."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from starlette.testclient import TestClient

from app.build import build_context
from app.context import AppContext
from app.webchat import WebChatParts, wire_webchat
from console.app import create_app
from console.web import ConsoleState
from core.clock import FrozenClock
from core.settings import Settings, load_settings
from tests.chat import FakeNlu

ORIGIN = "https://20000emplois.fr"


@dataclass
class Web:
    context: AppContext
    parts: WebChatParts
    client: TestClient


@pytest.fixture
def web_settings(database_url: str) -> Settings:
    return load_settings(
        database_url=database_url,
        telegram_bot_token=None,
        rasa_url=None,
        console_secret_key="test-secret",
        webchat_allowed_origins=ORIGIN + "/",
        webchat_max_chars=300,
        webchat_visitor_per_minute=12,
    )


@pytest.fixture
def web(web_settings: Settings, clock: FrozenClock) -> Iterator[Web]:
    context = build_context(web_settings, parse=FakeNlu().parse, clock=clock)
    parts = wire_webchat(context)
    state = ConsoleState(sessions=context.sessions, settings=web_settings, clock=clock)
    app = create_app(state, extra_routes=parts.routes)
    with TestClient(app, base_url="http://chat.test") as client:
        client.portal.call(context.start)  # type: ignore[union-attr]
        yield Web(context, parts, client)
        client.portal.call(context.aclose)  # type: ignore[union-attr]
