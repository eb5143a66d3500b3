"""``python -m scheduler serve`` alone: with a bot token it also sends the outbox."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from pathlib import Path

from capabilities.programme.rules import default_rules
from core.messages import Reply
from core.settings import load_settings
from scheduler.__main__ import _serve
from store.db import make_engine, make_session_factory
from store.migrate import upgrade
from store.models import ChannelAccount, Person
from store.outbox import enqueue
from tests.fakes.telegram_api import FakeTelegramApi

CHAT = 77123


async def test_the_scheduler_alone_delivers_the_outbox(tmp_path: Path) -> None:
    fake = FakeTelegramApi()
    await fake.start()
    url = f"sqlite:///{tmp_path / 'alone.db'}"
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions() as session:
        person = Person(consent="given")
        session.add(ChannelAccount(person=person, channel="telegram", external_ref=str(CHAT)))
        session.flush()
        enqueue(
            session,
            key="test:alone:1",
            person_id=person.id,
            rule="relay",
            replies=[Reply(text="Votre conseiller vous répond")],
            not_before=datetime.now(UTC),
            ignore_quiet_hours=True,
        )
        session.commit()
    settings = load_settings(
        database_url=url, telegram_bot_token=fake.token, telegram_api_url=fake.base_url
    )
    task = asyncio.create_task(_serve(sessions, default_rules(), settings))
    try:
        await fake.wait_for_text(CHAT, "Votre conseiller vous répond", timeout=15)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await fake.stop()
        engine.dispose()
