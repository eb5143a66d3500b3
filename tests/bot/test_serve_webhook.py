"""``python -m bot`` in webhook mode: Telegram's POSTs reach the console's HTTP server at the
URL's path, and the real assistant answers each update once."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx

from app.build import build_context
from app.serve import serve_context
from app.webhook import SECRET_HEADER
from core.settings import load_settings
from tests.fakes.assistant import ScriptedAssistant
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_harness import telegram_bot

CHAT = 66601
SECRET = "serve-secret_1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_the_webhook_is_served_on_the_console_port(tmp_path: Path) -> None:
    fake = FakeTelegramApi()
    await fake.start()
    port = free_port()
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'serve.db'}",
        telegram_bot_token=fake.token,
        telegram_api_url=fake.base_url,
        console_port=port,
        console_secret_key="test-secret-key-for-serve",
        telegram_webhook_url="https://bot.example.test/hooks/telegram",
        telegram_webhook_secret=SECRET,
        telegram_webhook_max_connections=12,
    )
    context = build_context(settings)
    stop = asyncio.Event()
    task = asyncio.create_task(serve_context(context, stop))
    url = f"http://127.0.0.1:{port}/hooks/telegram"
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            for _ in range(200):  # the server is up once the console answers
                try:
                    await client.get(f"http://127.0.0.1:{port}/login")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            assert fake.webhook is not None
            assert fake.webhook["url"] == "https://bot.example.test/hooks/telegram"
            assert fake.webhook["max_connections"] == 12
            start = fake.push_command(CHAT, "/start")
            wrong = await client.post(url, json=start, headers={SECRET_HEADER: "nope"})
            assert wrong.status_code == 401
            for _ in range(2):  # Telegram delivering it again: answered once
                answer = await client.post(url, json=start, headers={SECRET_HEADER: SECRET})
                assert answer.status_code == 200
            await fake.wait_for_text(CHAT, "Bonjour et bienvenue", timeout=20)
            await asyncio.sleep(0.5)
            welcomes = [t for t in fake.sent_texts(CHAT) if "Bonjour et bienvenue" in t]
            assert len(welcomes) == 1
            console = await client.get(f"http://127.0.0.1:{port}/login")
            assert console.status_code == 200  # the console is still there
        assert fake.calls_of("getUpdates") == []
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        await context.aclose()
        await fake.stop()


async def test_polling_deletes_a_webhook_left_from_webhook_mode() -> None:
    async with telegram_bot(ScriptedAssistant()) as (fake, _app):
        assert fake.calls_of("deleteWebhook")
        fake.push_text(CHAT, "bonjour")
        await fake.wait_for("sendMessage")
