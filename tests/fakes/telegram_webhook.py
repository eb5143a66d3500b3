"""Webhook-mode replicas inside a test: the real PTB Application, inbox worker and endpoint.

A replica's endpoint is reached in-process through ``httpx.ASGITransport`` (no port); the
Bot API calls go to the fake server. :func:`deliver` posts like Telegram does: the secret
header, and a new attempt after any answer that is not 2xx.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send

from app.webhook import SECRET_HEADER, TelegramWebhook
from bot.telegram_app import build_application
from bot.telegram_inbox import InboxWorker
from bot.telegram_webhook import webhook_mode
from core.ports import Handler
from store.db import make_engine, make_session_factory
from store.migrate import upgrade
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_harness import fake_settings

SECRET = "s3cret_for-tests"
HOOK_URL = "https://bot.example.test/telegram/hook"
HOOK_PATH = "/telegram/hook"


async def not_found(scope: Scope, receive: Receive, send: Send) -> None:
    """What stands for the console behind the endpoint."""
    await PlainTextResponse("console", status_code=404)(scope, receive, send)


@dataclass
class Replica:
    """One replica: its endpoint (``client``), its worker and its stop switch."""

    webhook: TelegramWebhook
    worker: InboxWorker
    client: httpx.AsyncClient
    stop: asyncio.Event
    task: asyncio.Task[None]
    sessions: Any

    async def post(self, update: Any, *, secret: str | None = SECRET) -> httpx.Response:
        """One POST, as Telegram would send it (``update`` JSON-encoded unless bytes)."""
        headers = {"content-type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        body = update if isinstance(update, bytes) else json.dumps(update).encode()
        return await self.client.post(HOOK_PATH, content=body, headers=headers)

    async def crash(self) -> None:
        """Die like ``kill -9`` would, for this replica's part: the worker is cancelled
        wherever it is and its lock connections are closed (the locks go with them)."""
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


async def deliver(replicas: list[Replica], update: Any, *, start: int = 0) -> int:
    """Telegram's delivery: try the replicas round robin until one answers 2xx; attempts."""
    for attempt in range(50):
        replica = replicas[(start + attempt) % len(replicas)]
        with contextlib.suppress(httpx.HTTPError):
            if (await replica.post(update)).is_success:
                return attempt + 1
        await asyncio.sleep(0.02)
    raise AssertionError(f"update {update.get('update_id')} was never accepted")


@contextlib.asynccontextmanager
async def webhook_replica(
    fake: FakeTelegramApi, database_url: str, handler: Handler, *, worker_running: bool = True
) -> AsyncIterator[Replica]:
    """A webhook-mode replica on ``database_url`` (migrated), serving ``handler``."""
    settings = fake_settings(
        fake,
        database_url=database_url,
        telegram_webhook_url=HOOK_URL,
        telegram_webhook_secret=SECRET,
    )
    engine = make_engine(settings.database_url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    app = build_application(settings, handler, overall_max_rate=0)
    worker = InboxWorker(app, sessions, slots=4, poll_seconds=0.1)
    webhook = TelegramWebhook(HOOK_PATH, SECRET, sessions, kick=worker.kick)
    stop = asyncio.Event()
    transport = httpx.ASGITransport(app=webhook.mount(not_found))
    try:
        async with (
            webhook_mode(app, url=HOOK_URL, secret=SECRET, max_connections=40),
            httpx.AsyncClient(transport=transport, base_url="http://replica") as client,
        ):
            if worker_running:
                task = asyncio.create_task(worker.run(stop))
            else:
                task = asyncio.create_task(stop.wait())  # type: ignore[arg-type]
            replica = Replica(webhook, worker, client, stop, task, sessions)
            try:
                yield replica
            finally:
                stop.set()
                await asyncio.gather(task, return_exceptions=True)
    finally:
        engine.dispose()
