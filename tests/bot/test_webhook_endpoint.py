"""The webhook endpoint: only Telegram (the secret) gets in, only updates are stored, and
the 200 comes once the update is committed to the inbox."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from app.webhook import MAX_BODY, SECRET_HEADER, TelegramWebhook, webhook_path
from core.settings import ConfigError, load_settings
from store.db import make_engine, make_session_factory
from store.inbox import InboxUpdate
from store.migrate import upgrade
from tests.fakes.telegram_webhook import HOOK_PATH, SECRET, not_found

UPDATE = {
    "update_id": 700001,
    "message": {
        "message_id": 1,
        "date": 1764750000,
        "chat": {"id": 4242, "type": "private", "first_name": "Camille"},
        "from": {"id": 4242, "is_bot": False, "first_name": "Camille"},
        "text": "bonjour",
    },
}


@pytest.fixture
def sessions(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'hook.db'}")
    upgrade(engine)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def kicks() -> list[int]:
    return []


@pytest.fixture
async def client(sessions, kicks: list[int]):  # type: ignore[no-untyped-def]
    hook = TelegramWebhook(HOOK_PATH, SECRET, sessions, kick=lambda: kicks.append(1))
    transport = httpx.ASGITransport(app=hook.mount(not_found))
    async with httpx.AsyncClient(transport=transport, base_url="http://replica") as client:
        yield client


def stored(sessions) -> list[InboxUpdate]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return list(session.scalars(select(InboxUpdate)).all())


def post(client: httpx.AsyncClient, body: bytes, secret: str | None = SECRET):  # type: ignore[no-untyped-def]
    headers = {"content-type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    return client.post(HOOK_PATH, content=body, headers=headers)


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x", SECRET[:-1]])
async def test_a_missing_or_wrong_secret_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, sessions, kicks: list[int], secret: str | None
) -> None:
    answer = await post(client, json.dumps(UPDATE).encode(), secret)
    assert answer.status_code == 401
    assert stored(sessions) == []
    assert kicks == []


async def test_the_right_secret_stores_the_update_before_answering_200(
    client: httpx.AsyncClient, sessions, kicks: list[int]
) -> None:
    answer = await post(client, json.dumps(UPDATE).encode())
    assert answer.status_code == 200
    [row] = stored(sessions)  # committed: visible from another session
    assert (row.update_id, row.chat_id, row.done_at) == (700001, 4242, None)
    assert json.loads(row.payload or "") == UPDATE
    assert kicks == [1]


async def test_a_redelivered_update_is_accepted_and_stored_once(
    client: httpx.AsyncClient, sessions, kicks: list[int]
) -> None:
    for _ in range(3):
        assert (await post(client, json.dumps(UPDATE).encode())).status_code == 200
    assert len(stored(sessions)) == 1
    assert kicks == [1]  # only the new update wakes the worker


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe garbage",
        b"[1, 2, 3]",
        b'"update"',
        b"{}",
        b'{"update_id": "12"}',
        b'{"update_id": true}',
        b'{"update_id": -5}',
        b"",
    ],
    ids=[
        "broken",
        "not-utf8",
        "list",
        "string",
        "no-id",
        "text-id",
        "bool-id",
        "negative",
        "empty",
    ],
)
async def test_a_body_that_is_not_an_update_is_a_400(
    client: httpx.AsyncClient, sessions, body: bytes
) -> None:
    answer = await post(client, body)
    assert answer.status_code == 400
    assert stored(sessions) == []


async def test_a_body_over_one_megabyte_is_a_400(client: httpx.AsyncClient, sessions) -> None:
    big = dict(UPDATE, message=dict(UPDATE["message"], text="a" * MAX_BODY))  # type: ignore[arg-type]
    assert (await post(client, json.dumps(big).encode())).status_code == 400

    async def streamed():  # type: ignore[no-untyped-def]  # no Content-Length announced
        for _ in range(11):
            yield b" " * 100_000

    answer = await client.post(HOOK_PATH, content=streamed(), headers={SECRET_HEADER: SECRET})
    assert answer.status_code == 400
    assert stored(sessions) == []


async def test_the_secret_is_checked_before_the_body(client: httpx.AsyncClient) -> None:
    assert (await post(client, b"{not json", secret="wrong")).status_code == 401


async def test_only_post_on_the_path_reaches_the_endpoint(client: httpx.AsyncClient) -> None:
    assert (await client.get(HOOK_PATH)).status_code == 405
    assert (await client.get("/elsewhere")).text == "console"


async def test_the_database_down_is_a_503_so_telegram_delivers_again(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'not-migrated.db'}")  # no inbox table
    hook = TelegramWebhook(HOOK_PATH, SECRET, make_session_factory(engine))
    transport = httpx.ASGITransport(app=hook.mount(not_found))
    async with httpx.AsyncClient(transport=transport, base_url="http://replica") as client:
        assert (await post(client, json.dumps(UPDATE).encode())).status_code == 503
    engine.dispose()


def test_the_webhook_settings_are_checked_at_start() -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        load_settings(telegram_webhook_url="https://bot.example.test/hook")
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        load_settings(
            telegram_webhook_url="https://bot.example.test/hook",
            telegram_webhook_secret="with space",
        )
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        load_settings(
            telegram_webhook_url="https://bot.example.test/hook",
            telegram_webhook_secret="a" * 257,
        )
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_URL"):
        load_settings(telegram_webhook_url="http://bot.example.test/hook")
    with pytest.raises(ConfigError, match="REDIS_URL"):
        load_settings(redis_url="localhost:6379")
    ok = load_settings(
        telegram_webhook_url="https://bot.example.test/tg/hook", telegram_webhook_secret="a_B-9"
    )
    assert webhook_path(ok.telegram_webhook_url or "") == "/tg/hook"
