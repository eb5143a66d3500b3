"""Shared pieces of the programme benchmarks: a temporary PostgreSQL database, bulk
fixtures through COPY, the fake Bot API in a child process, a Telegram channel to it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, create_engine, text

from store.db import make_engine
from store.migrate import upgrade

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextlib.contextmanager
def temporary_postgres(prefix: str) -> Iterator[Engine]:
    """A fresh, migrated database; dropped afterwards whatever happens."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def copy_rows(
    engine: Engine, table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]
) -> None:
    """Bulk-load rows with PostgreSQL COPY (fixtures only), then fix the id sequence."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
        if "id" in columns:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        raw.commit()
    finally:
        raw.close()


def people(engine: Engine, count: int, *, start: int = 1) -> None:
    """``count`` consenting people with a Telegram account each (chat id = person id)."""
    now = datetime(2026, 11, 1, tzinfo=UTC)
    ids = range(start, start + count)
    copy_rows(
        engine,
        "people",
        ["id", "created_at", "consent", "consent_at", "proactive_opt_out"],
        ((i, now, "given", now, False) for i in ids),
    )
    copy_rows(
        engine,
        "channel_accounts",
        ["id", "person_id", "channel", "external_ref"],
        ((i, i, "telegram", str(i)) for i in ids),
    )
    copy_rows(
        engine,
        "conversations",
        ["id", "person_id", "data", "misunderstood", "handoff", "updated_at"],
        ((i, i, "{}", 0, "bot", now) for i in ids),
    )


def outbox(
    engine: Engine, person_ids: range, *, not_before: datetime, prefix: str = "bench"
) -> None:
    """One pending check-in-like message per person."""
    replies = json.dumps([{"text": "Bonjour ! Comment se passe votre semaine ?"}])
    copy_rows(
        engine,
        "outbox",
        [
            "idempotency_key",
            "person_id",
            "rule",
            "replies",
            "not_before",
            "ignore_quiet_hours",
            "status",
            "attempts",
            "created_at",
        ],
        (
            (f"{prefix}:{i}", i, "bench", replies, not_before, True, "pending", 0, not_before)
            for i in person_ids
        ),
    )


class FakeApiProcess:
    """The fake Bot API in a child process (``bench._fake_api``)."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench._fake_api"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line.startswith("URL "):
            raise RuntimeError(f"fake Bot API did not start: {line!r}")
        self.base_url = line.removeprefix("URL ")

    def stop(self) -> dict[str, Any]:
        """Stop it and return its summary (count, per-chat counts, first/last times)."""
        self.process.terminate()
        out, _ = self.process.communicate(timeout=60)
        for line in out.splitlines():
            if line.startswith("STATS "):
                result: dict[str, Any] = json.loads(line.removeprefix("STATS "))
                return result
        raise RuntimeError("fake Bot API gave no summary")


class _NoUpdates:
    """The benchmark application never receives updates."""

    async def handle(self, incoming: Any) -> list[Any]:
        return []

    async def aclose(self) -> None:
        return None


async def telegram_channel(base_url: str, *, paid_broadcast: bool = False) -> tuple[Any, Any]:
    """A started PTB application (no polling) and its channel port, with the production rate
    limiter (``bot.telegram_channel.rate_limiter``: the free rate overall, PTB's paid limiter
    for messages sent with ``allow_paid_broadcast`` when ``paid_broadcast``)."""
    from bot.telegram_app import build_application
    from bot.telegram_channel import TelegramChannel
    from core.settings import load_settings
    from tests.fakes.telegram_api import TOKEN

    settings = load_settings(telegram_bot_token=TOKEN, telegram_api_url=base_url)
    app = build_application(settings, _NoUpdates(), max_retries=0)  # type: ignore[arg-type]
    await app.initialize()
    return app, TelegramChannel(app.bot, paid_broadcast=paid_broadcast)


def participants_day() -> date:
    """The orientation date used by the planning fixtures."""
    return date(2026, 9, 1)


class LeanBotApiChannel:
    """A minimal Bot API client (keep-alive HTTP/1.1 on asyncio streams) implementing the
    channel port: measures the dispatcher, not the HTTP library. ``sendMessage`` only."""

    name = "telegram"

    def __init__(self, base_url: str, token: str, connections: int = 16) -> None:
        from urllib.parse import urlsplit

        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.path = f"{parts.path}{token}/sendMessage"
        self._idle: list[tuple[Any, Any]] = []
        self._slots = asyncio.Semaphore(connections)

    async def send(self, user_ref: str, replies: Any) -> None:
        from core.ports import RecipientBlocked, RetryLater, TransientDeliveryError

        for reply in replies:
            body = json.dumps({"chat_id": int(user_ref), "text": reply.text}).encode()
            async with self._slots:
                try:
                    status, answer = await self._post(body)
                except (OSError, asyncio.IncompleteReadError) as exc:
                    raise TransientDeliveryError(str(exc)) from exc
            if status == 429:
                raise RetryLater(float(answer.get("parameters", {}).get("retry_after", 1)))
            if status == 403:
                raise RecipientBlocked(answer.get("description", "blocked"))
            if status != 200:
                raise TransientDeliveryError(f"HTTP {status}")

    async def _post(self, body: bytes) -> tuple[int, dict[str, Any]]:
        reader, writer = (
            self._idle.pop() if self._idle else await asyncio.open_connection(self.host, self.port)
        )
        writer.write(
            b"POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s"
            % (self.path.encode(), self.host.encode(), len(body), body)
        )
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        length = next(
            int(line.split(":", 1)[1])
            for line in lines
            if line.lower().startswith("content-length")
        )
        answer = json.loads(await reader.readexactly(length))
        self._idle.append((reader, writer))
        return status, answer

    async def aclose(self) -> None:
        """Close the kept-alive connections."""
        for _reader, writer in self._idle:
            writer.close()
        self._idle.clear()
