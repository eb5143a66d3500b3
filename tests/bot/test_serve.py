"""``python -m bot`` in production mode, end to end against the fake Bot API.

Telegram polling, the outbox dispatcher and the console run in one loop: a person is
answered, a planned outbox message reaches them, and the console answers on its port.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from app.build import build_context
from app.serve import serve_context
from core.messages import Reply
from core.settings import load_settings
from store.db import make_engine, make_session_factory
from store.models import ChannelAccount
from store.outbox import enqueue
from tests.fakes.telegram_api import FakeTelegramApi

CHAT = 55501


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("assistant_process", [False, True], ids=["one-process", "child"])
async def test_bot_scheduler_and_console_run_together(
    tmp_path: Path, assistant_process: bool
) -> None:
    fake = FakeTelegramApi()
    await fake.start()
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    port = free_port()
    settings = load_settings(
        database_url=url,
        telegram_bot_token=fake.token,
        telegram_api_url=fake.base_url,
        console_port=port,
        console_secret_key="test-secret-key-for-serve",
        assistant_process=assistant_process,
    )
    context = build_context(settings)
    stop = asyncio.Event()
    task = asyncio.create_task(serve_context(context, stop))
    try:
        fake.push_command(CHAT, "/start")
        await fake.wait_for_text(CHAT, "Bonjour et bienvenue", timeout=30)
        since = len(fake.calls)
        fake.push_callback(CHAT, "consent:yes")
        await fake.wait_for_text(CHAT, "Merci", since=since, timeout=10)

        sessions = make_session_factory(make_engine(url))
        with sessions() as session:
            account = session.scalars(
                select(ChannelAccount).where(ChannelAccount.external_ref == str(CHAT))
            ).one()
            enqueue(
                session,
                key="test:serve:1",
                person_id=account.person_id,
                rule="relay",
                replies=[Reply(text="Message de votre conseillère")],
                not_before=datetime.now(UTC),
                ignore_quiet_hours=True,
            )
            session.commit()
        context.wakeup.kick()  # what the console does after queuing a reply
        await fake.wait_for_text(CHAT, "Message de votre conseillère", since=since, timeout=15)

        async with httpx.AsyncClient() as client:
            for _ in range(50):
                with contextlib.suppress(httpx.TransportError):
                    response = await client.get(f"http://127.0.0.1:{port}/login")
                    break
                await asyncio.sleep(0.1)
            assert response.status_code == 200
            assert "mot de passe" in response.text.lower()
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        await context.aclose()
        await fake.stop()
