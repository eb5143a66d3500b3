"""A live console for browser tests and benchmarks: uvicorn + fake Bot API + relay sender.

Everything runs in one background thread with its own event loop, like ``python -m bot``:
a counsellor's reply kicks the sender, which delivers the outbox row to the fake Bot API.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import uvicorn
from telegram import Bot

from bot.telegram_channel import TelegramChannel
from console.app import create_app
from console.integrations import Integrations, NoIntegrations
from console.security import hash_password
from console.web import ConsoleState
from core.clock import Clock, utcnow
from core.settings import load_settings
from store.db import SessionFactory, make_engine, make_session_factory
from store.migrate import upgrade
from store.models import ChannelAccount, Conversation, HandoffRequest, MessageLog, Person
from store.staff import Staff
from tests.console.fakes import drain_relays
from tests.fakes.telegram_api import TOKEN, FakeTelegramApi

PASSWORD = "correct horse battery"


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveConsole:
    """The console served on 127.0.0.1, its database, and the fake Telegram it relays to."""

    def __init__(
        self,
        database_url: str,
        *,
        clock: Clock = utcnow,
        integrations: Integrations | None = None,
        staff_language: str = "fr",
    ) -> None:
        self.staff_language = staff_language
        self.engine = make_engine(database_url)
        upgrade(self.engine)
        self.sessions: SessionFactory = make_session_factory(self.engine)
        self.clock = clock
        self.integrations = integrations or NoIntegrations()
        self.port = free_port()
        self.fake: FakeTelegramApi | None = None
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._stop: asyncio.Event | None = None
        self._wake: asyncio.Event | None = None
        self.sent_at: list[float] = []

    @property
    def url(self) -> str:
        """Base URL of the console."""
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._main())

    def kick(self) -> None:
        """Wake the relay sender (called by the console after a reply)."""
        if self._wake is not None:
            self._wake.set()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        async with FakeTelegramApi() as fake:
            self.fake = fake
            bot = Bot(TOKEN, base_url=fake.base_url)
            await bot.initialize()
            channel = TelegramChannel(bot)
            settings = load_settings(
                database_url="sqlite://",
                console_secret_key="test-secret",
                staff_language=self.staff_language,
            )
            state = ConsoleState(
                sessions=self.sessions,
                settings=settings,
                clock=self.clock,
                integrations=self.integrations,
                kick=self.kick,
                local_mode=False,  # the fake Bot API delivers
            )
            config = uvicorn.Config(
                create_app(state), host="127.0.0.1", port=self.port, log_level="warning"
            )
            server = uvicorn.Server(config)
            serving = asyncio.create_task(server._serve())
            while not server.started:  # noqa: ASYNC110 (uvicorn exposes a flag, not an event)
                await asyncio.sleep(0.005)
            self._ready.set()
            while not self._stop.is_set():
                await self._wake.wait()
                self._wake.clear()
                if self._stop.is_set():
                    break
                await drain_relays(self.sessions, channel, self.clock())
            server.should_exit = True
            await serving
            await bot.shutdown()

    def start(self) -> LiveConsole:
        """Start serving; returns when the console answers."""
        self._thread.start()
        if not self._ready.wait(20):
            raise RuntimeError("the console did not start")
        return self

    def stop(self) -> None:
        """Stop everything and release the database."""

        def _set() -> None:
            assert self._stop is not None and self._wake is not None
            self._stop.set()
            self._wake.set()

        self.loop.call_soon_threadsafe(_set)
        self._thread.join(20)
        self.loop.close()
        self.engine.dispose()

    def run(self, coroutine: Any) -> Any:
        """Run a coroutine in the console's loop (e.g. waiting on the fake Bot API)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(20)

    # ------------------------------------------------------------------ seeding
    def add_staff(self, name: str, email: str, role: str = "counsellor") -> int:
        """A member of staff with the test password."""
        with self.sessions() as session:
            staff = Staff(name=name, email=email, role=role, password_hash=hash_password(PASSWORD))
            session.add(staff)
            session.commit()
            return staff.id

    def add_waiting_person(self, name: str, chat_id: int, messages: int = 6) -> int:
        """A Telegram user who asked for a counsellor, with a short transcript."""
        now = self.clock()
        with self.sessions() as session:
            person = Person(consent="given", consent_at=now, display_name=name)
            session.add(person)
            session.flush()
            session.add(
                ChannelAccount(person_id=person.id, channel="telegram", external_ref=str(chat_id))
            )
            session.add(
                Conversation(person_id=person.id, data={}, handoff="waiting", handoff_at=now)
            )
            session.add(HandoffRequest(person_id=person.id, reason="asked", created_at=now))
            for index in range(messages):
                incoming = index % 2 == 0
                session.add(
                    MessageLog(
                        person_id=person.id,
                        created_at=now,
                        direction="in" if incoming else "out",
                        author="person" if incoming else "bot",
                        channel="telegram",
                        kind="text",
                        text=f"{'question' if incoming else 'réponse'} {index}",
                        intent="ask_transport" if incoming else None,
                        confidence=0.9 if incoming else None,
                    )
                )
            session.commit()
            return person.id


@contextlib.contextmanager
def live_console(database_url: str, **kwargs: Any) -> Iterator[LiveConsole]:
    """A started :class:`LiveConsole`, stopped on exit."""
    console = LiveConsole(database_url, **kwargs).start()
    try:
        yield console
    finally:
        console.stop()


def now_utc() -> datetime:
    """Real time (the browser's cookies live in real time)."""
    return datetime.now(UTC)
