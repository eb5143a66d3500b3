"""The whole server for browser tests and the bench: console + /chat on uvicorn, a relay
sender woken by the console (like the dispatcher in ``python -m bot``), and a plain page
of another origin that embeds the widget."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from app.build import build_context
from app.context import AppContext
from app.webchat import WebChatParts, wire_webchat
from console.app import create_app
from console.security import hash_password
from console.web import ConsoleState
from core.settings import Settings
from store.staff import Staff
from tests.chat import FakeNlu
from tests.console.fakes import drain_relays
from tests.console.live import PASSWORD, free_port

HOST_PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>20000emplois.fr</title></head>
<body><h1>Les Espaces 20 000 emplois</h1><p>Une page du site, sur une autre origine.</p>
<script src="{chat}/chat/widget.js" defer {extra}></script></body></html>"""


class LiveChat:
    """Serves the chat at ``url`` and a host page at ``site`` in one background loop."""

    def __init__(self, settings_for: Callable[[str], Settings], *, transport: str = "") -> None:
        self.port, self.site_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.site = f"http://localhost:{self.site_port}"
        self.settings = settings_for(self.site)
        self.transport = transport
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.context: AppContext | None = None
        self.parts: WebChatParts | None = None
        self._stop: asyncio.Event | None = None
        self._wake: asyncio.Event | None = None

    def kick(self) -> None:
        self.loop.call_soon_threadsafe(lambda: self._wake.set() if self._wake else None)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._main())

    async def _main(self) -> None:
        self._stop, self._wake = asyncio.Event(), asyncio.Event()
        context = build_context(self.settings, parse=FakeNlu().parse)
        self.context = context
        self.parts = parts = wire_webchat(context)
        await context.start()
        state = ConsoleState(sessions=context.sessions, settings=self.settings, kick=self.kick)
        app = create_app(state, extra_routes=parts.routes)
        extra = f'data-transport="{self.transport}"' if self.transport else ""
        page = HOST_PAGE.format(chat=self.url, extra=extra)

        async def host(_request: Any) -> HTMLResponse:
            return HTMLResponse(page)

        site = Starlette(routes=[Route("/", host)])
        servers = [
            uvicorn.Server(
                uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
            ),
            uvicorn.Server(
                uvicorn.Config(site, host="127.0.0.1", port=self.site_port, log_level="warning")
            ),
        ]
        tasks = [asyncio.create_task(s._serve()) for s in servers]
        while not all(s.started for s in servers):  # noqa: ASYNC110
            await asyncio.sleep(0.005)
        self._ready.set()
        while not self._stop.is_set():
            await self._wake.wait()
            self._wake.clear()
            if not self._stop.is_set():
                await drain_relays(context.sessions, parts.chat, context.clock())
        for server in servers:
            server.should_exit = True
        await asyncio.gather(*tasks)
        await context.aclose()

    def start(self) -> LiveChat:
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the chat did not start")
        return self

    def stop(self) -> None:
        def _set() -> None:
            assert self._stop is not None and self._wake is not None
            self._stop.set()
            self._wake.set()

        self.loop.call_soon_threadsafe(_set)
        self._thread.join(30)
        if not self._thread.is_alive():
            self.loop.close()

    def add_staff(self, name: str, email: str) -> int:
        assert self.context is not None
        with self.context.sessions() as session:
            staff = Staff(
                name=name, email=email, role="counsellor", password_hash=hash_password(PASSWORD)
            )
            session.add(staff)
            session.commit()
            return staff.id
