"""``python -m bot`` without a Telegram token: the console, the scheduler and the web chat.

A visitor talks over the WebSocket of the real server; a reply queued in the outbox (what the
console does for a counsellor) reaches the open panel through the dispatcher.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import websockets

from app.build import build_context
from app.serve import serve_context
from core.messages import Reply
from core.settings import load_settings
from store.db import make_engine, make_session_factory
from store.models import ChannelAccount
from store.outbox import enqueue
from tests.bot.test_serve import free_port


async def test_the_web_chat_is_served_without_telegram(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    port = free_port()
    settings = load_settings(
        database_url=url, telegram_bot_token=None, console_port=port, console_secret_key="k"
    )
    context = build_context(settings)
    stop = asyncio.Event()
    task = asyncio.create_task(serve_context(context, stop))
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base) as client:
            for _ in range(100):
                with contextlib.suppress(httpx.TransportError):
                    page = await client.get("/chat")
                    break
                await asyncio.sleep(0.1)
            assert page.status_code == 200 and "widget.js" in page.text
            token = (await client.post("/chat/api/session", json={})).json()["token"]
        assert "telegram" not in context.channels and "web" in context.channels
        async with websockets.connect(base.replace("http", "ws") + "/chat/ws") as socket:
            await socket.send(json.dumps({"type": "hello", "token": token}))
            assert json.loads(await socket.recv())["type"] == "ready"
            await socket.send(json.dumps({"start": True, "id": "a"}))
            await socket.send(json.dumps({"button": "consent:yes", "label": "J'accepte"}))
            texts: list[str] = []
            while not any("Merci" in t for t in texts):
                data = json.loads(await asyncio.wait_for(socket.recv(), 20))
                texts.append(data.get("item", {}).get("text", ""))
            sessions = make_session_factory(make_engine(url))
            with sessions() as session:
                account = session.query(ChannelAccount).filter_by(channel="web").one()
                enqueue(
                    session,
                    key="test:web:1",
                    person_id=account.person_id,
                    rule="relay",
                    replies=[Reply(text="Message de votre conseillère")],
                    not_before=datetime.now(UTC),
                    ignore_quiet_hours=True,
                )
                session.commit()
            context.wakeup.kick()
            while "Message de votre conseillère" not in texts:
                data = json.loads(await asyncio.wait_for(socket.recv(), 20))
                texts.append(data.get("item", {}).get("text", ""))
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        await context.aclose()


async def test_with_assistant_process_the_web_chat_turns_run_in_the_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'child.db'}"
    port = free_port()
    settings = load_settings(
        database_url=url,
        telegram_bot_token=None,
        console_port=port,
        console_secret_key="k",
        assistant_process=True,
    )
    context = build_context(settings)

    async def not_here(*_args: object) -> None:
        raise AssertionError("the turn ran in the serving process")

    monkeypatch.setattr(context.assistant, "answer", not_here)  # only the child may answer
    stop = asyncio.Event()
    task = asyncio.create_task(serve_context(context, stop))
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base) as client:
            for _ in range(100):
                with contextlib.suppress(httpx.TransportError):
                    token = (await client.post("/chat/api/session", json={})).json()["token"]
                    break
                await asyncio.sleep(0.1)
            sent = await client.post(
                "/chat/api/send", json={"token": token, "start": True}, timeout=60
            )
        shown = "\n".join(item.get("text", "") for item in sent.json()["items"])
        assert "Vie privée" in shown and "désolé" not in shown.lower()
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        await context.aclose()
