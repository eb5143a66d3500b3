"""A voice note sent on Telegram reaches the staff topic as audio (real PTB, fake Bot API)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from app.build import build_context
from app.context import AppContext
from app.telegram import wire_telegram
from bot.telegram_app import polling
from core.clock import FrozenClock
from tests.chat import FakeNlu
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_harness import fake_settings

PERSON = 412345678
STAFF = -1001234567890
OGG = b"OggS" + bytes(range(100))


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramApi]:
    async with FakeTelegramApi() as server:
        yield server


@pytest.fixture
async def bot_context(
    fake: FakeTelegramApi, database_url: str, fake_nlu: FakeNlu, clock: FrozenClock
) -> AsyncIterator[AppContext]:
    settings = fake_settings(fake, database_url=database_url, telegram_staff_chat_id=STAFF)
    context = build_context(settings, parse=fake_nlu.parse, clock=clock)
    yield context
    await context.aclose()


async def test_a_voice_note_is_heard_in_the_staff_topic(
    fake: FakeTelegramApi, bot_context: AppContext
) -> None:
    telegram = wire_telegram(bot_context, overall_max_rate=0)
    fake.files["AwACAgQAAxkBvoice"] = OGG
    async with polling(telegram.application):
        fake.push_command(PERSON, "/start", first_name="Samia")
        await fake.wait_for_text(PERSON, "Acceptez-vous")
        mark = len(fake.calls)
        fake.push_callback(PERSON, "consent:yes")
        await fake.wait_for_text(PERSON, "Que voulez-vous savoir", since=mark)
        mark = len(fake.calls)
        fake.push_voice(PERSON, first_name="Samia")
        await fake.wait_for_text(PERSON, "Un conseiller va l'écouter", since=mark)
        (voice,) = await fake.wait_for("sendVoice")
        topic = (await fake.wait_for("createForumTopic"))[0]
    assert voice.params["chat_id"] == STAFF
    assert voice.params.get("message_thread_id") is not None
    assert voice.files["voice"][1] == OGG
    assert voice.params["caption"].startswith("👤 Message vocal")
    assert "n° 1" in topic.params["name"]
