"""Two replicas on one PostgreSQL database: a counsellor's answer sent by replica A appears at
once in a panel open on replica B (LISTEN/NOTIFY), and a lost listening connection makes the
panels re-read the transcript instead of missing items."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import websockets
from sqlalchemy import create_engine, text

from capabilities.handoff.state import counsellor_reply
from core.settings import Settings, load_settings
from store.models import ChannelAccount, Conversation
from tests.pg import temporary_database
from tests.webchat.live import LiveChat

pytestmark = pytest.mark.postgres


@pytest.fixture
def replicas() -> Iterator[tuple[LiveChat, LiveChat, str]]:
    with temporary_database("webchat_replicas") as url:

        def settings_for(site: str) -> Settings:
            return load_settings(
                database_url=url,
                telegram_bot_token=None,
                rasa_url=None,
                console_secret_key="shared-by-the-replicas",
                webchat_allowed_origins=site,
            )

        a = LiveChat(settings_for).start()
        b = LiveChat(settings_for).start()
        try:
            yield a, b, url
        finally:
            b.stop()
            a.stop()


async def panel_on(chat: LiveChat) -> tuple[Any, str]:
    """A visitor who accepted and asked for a counsellor, with a socket open on ``chat``."""
    async with httpx.AsyncClient(base_url=chat.url, timeout=10) as http:
        token = (await http.post("/chat/api/session", json={})).json()["token"]
        for body in (
            {"start": True},
            {"button": "consent:yes", "label": "J'accepte"},
            {"text": "je veux un conseiller"},
        ):
            assert (await http.post("/chat/api/send", json={"token": token, **body})).is_success
    socket = await websockets.connect(chat.url.replace("http", "ws") + "/chat/ws")
    await socket.send(json.dumps({"type": "hello", "token": token, "after": 10**9}))
    ready = json.loads(await socket.recv())
    assert ready["type"] == "ready"
    return socket, token


def answer_from(chat: LiveChat, token: str, words: str) -> None:
    """The counsellor answers in the console served by ``chat``; its dispatcher sends it."""
    assert chat.context is not None
    with chat.context.sessions() as session:
        visitor = token.split(".")[0]
        account = session.query(ChannelAccount).filter_by(channel="web", external_ref=visitor).one()
        conversation = session.get(Conversation, account.person_id)
        assert conversation is not None
        counsellor_reply(
            session, conversation, words, at=chat.context.clock(), by="staff:1", channel="console"
        )
        session.commit()
    chat.kick()


async def next_frame(socket: Any, seconds: float) -> dict[str, Any]:
    return dict(json.loads(await asyncio.wait_for(socket.recv(), seconds)))


async def test_an_answer_sent_by_replica_a_appears_at_once_in_a_panel_open_on_replica_b(
    replicas: tuple[LiveChat, LiveChat, str],
) -> None:
    a, b, _url = replicas
    socket, token = await panel_on(b)
    try:
        for words in ("Bonjour, je suis Karim.", "Je regarde votre dossier."):
            sent = time.monotonic()
            answer_from(a, token, words)
            frame = await next_frame(socket, 3)
            took = time.monotonic() - sent
            assert frame["type"] == "item" and frame["item"]["text"] == words
            assert frame["item"]["role"] != "visitor" and frame["item"]["id"]
            assert took < 0.5, f"{took:.3f} s"
        with pytest.raises(TimeoutError):  # each answer once
            await next_frame(socket, 0.3)
    finally:
        await socket.close()


async def test_a_long_poll_on_replica_b_returns_as_soon_as_replica_a_sends(
    replicas: tuple[LiveChat, LiveChat, str],
) -> None:
    a, b, _url = replicas
    socket, token = await panel_on(b)
    await socket.close()
    async with httpx.AsyncClient(base_url=b.url, timeout=40) as http:
        last = (await http.post("/chat/api/session", json={"token": token})).json()["items"][-1]
        polling = asyncio.create_task(
            http.post("/chat/api/poll", json={"token": token, "after": last["id"]})
        )
        await asyncio.sleep(0.3)
        sent = time.monotonic()
        answer_from(a, token, "Je vous appelle cet après-midi.")
        polled = (await polling).json()
    assert [i["text"] for i in polled["items"]] == ["Je vous appelle cet après-midi."]
    assert time.monotonic() - sent < 1.0  # not the 25 s of the poll


async def test_when_replica_b_loses_its_listening_connection_its_panels_re_read(
    replicas: tuple[LiveChat, LiveChat, str],
) -> None:
    a, b, url = replicas
    socket, token = await panel_on(b)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            ended = connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND query = 'LISTEN webchat'"
                )
            ).all()
        assert len(ended) == 2  # one listener per replica
        frame = await next_frame(socket, 5)
        assert frame["type"] == "reconnect"  # the widget reconnects and reads what it missed
    finally:
        await socket.close()
        admin.dispose()
    await asyncio.sleep(1.5)  # both listen again
    socket, token = await panel_on(b)
    try:
        answer_from(a, token, "Toujours là ?")
        frame = await next_frame(socket, 3)
        assert frame["item"]["text"] == "Toujours là ?"
    finally:
        await socket.close()
