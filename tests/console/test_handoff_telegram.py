"""Hand-off end to end with the real PTB application and the fake Bot API.

The person asks for a human → a topic is created in the staff group → a counsellor's reply
in the topic reaches the person → /resolve → the bot answers again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from app.build import build_context
from app.context import AppContext
from app.telegram import wire_telegram
from bot.telegram_app import polling
from capabilities.handoff.staff_identity import new_link_code
from core.clock import FrozenClock
from store.models import Conversation, MessageLog
from store.staff import Staff
from tests.chat import FakeNlu
from tests.console.fakes import drain_relays
from tests.fakes import telegram_updates as tg
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_harness import fake_settings

PERSON = 412345678
STAFF = -1001234567890


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


async def test_hand_off_through_the_staff_topic_and_back(
    fake: FakeTelegramApi, bot_context: AppContext, clock: FrozenClock
) -> None:
    assistant = bot_context.assistant
    kicked = asyncio.Event()
    bot_context.wakeup.register(kicked.set)
    telegram = wire_telegram(bot_context, overall_max_rate=0)
    app, channel = telegram.application, telegram.channel
    async with polling(app):
        fake.push_command(PERSON, "/start", first_name="Samia")
        await fake.wait_for_text(PERSON, "Acceptez-vous")
        mark = len(fake.calls)
        fake.push_callback(PERSON, "consent:yes")
        await fake.wait_for_text(PERSON, "Que voulez-vous savoir", since=mark)
        mark = len(fake.calls)
        fake.push_text(PERSON, "je veux un conseiller", first_name="Samia")
        await fake.wait_for_text(PERSON, "transmis votre demande", since=mark)
        topic = (await fake.wait_for("createForumTopic"))[0]
        assert topic.params["chat_id"] == STAFF and "n° 1" in topic.params["name"]
        card = await fake.wait_for_text(STAFF, "a demandé un conseiller", since=mark)
        thread = card[-1].params.get("message_thread_id")
        assert thread is not None
        # the counsellor answers in the topic; the outbox row is sent to the person
        mark = len(fake.calls)
        fake.push_message(
            STAFF,
            chat=tg.supergroup_chat(STAFF),
            first_name="Karim",
            text="Bonjour Samia, je suis Karim.",
            message_thread_id=thread,
            is_topic_message=True,
        )
        await asyncio.wait_for(kicked.wait(), 5)  # the relay kicks the dispatcher
        assert await drain_relays(assistant.sessions, channel, clock()) == 1
        await fake.wait_for_text(PERSON, "je suis Karim", since=mark)
        # the person writes: relayed to the topic, the bot stays silent
        mark = len(fake.calls)
        fake.push_text(PERSON, "merci beaucoup", first_name="Samia")
        await fake.wait_for_text(STAFF, "👤 merci beaucoup", since=mark)
        await fake.wait_idle()
        assert [c for c in fake.calls[mark:] if c.params.get("chat_id") == PERSON] == []
        # the counsellor resolves; the person is told; the bot answers again
        mark = len(fake.calls)
        fake.push_message(
            STAFF,
            chat=tg.supergroup_chat(STAFF),
            first_name="Karim",
            text="/resolve",
            message_thread_id=thread,
            is_topic_message=True,
        )
        await fake.wait_for_text(STAFF, "Clos par Karim", since=mark)
        await drain_relays(assistant.sessions, channel, clock())
        await fake.wait_for_text(PERSON, "terminé cet échange", since=mark)
        mark = len(fake.calls)
        fake.push_text(PERSON, "bus", first_name="Samia")
        await fake.wait_for_text(PERSON, "DK'Bus", since=mark)


async def test_a_counsellor_links_with_lier_and_is_named_in_the_transcript(
    fake: FakeTelegramApi, bot_context: AppContext, clock: FrozenClock
) -> None:
    assistant = bot_context.assistant
    with assistant.sessions() as session:
        karim = Staff(name="Karim Benali", email="karim@example.org")
        session.add(karim)
        session.flush()
        code = new_link_code(session, karim.id, clock())
        session.commit()
    kicked = asyncio.Event()
    bot_context.wakeup.register(kicked.set)
    app = wire_telegram(bot_context, overall_max_rate=0).application
    counsellor = tg.user(4242, "Karim", username="karim_b")
    async with polling(app):
        fake.push_command(PERSON, "/start", first_name="Samia")
        await fake.wait_for_text(PERSON, "Acceptez-vous")
        fake.push_callback(PERSON, "consent:yes")
        mark = len(fake.calls)
        fake.push_text(PERSON, "je veux un conseiller", first_name="Samia")
        card = await fake.wait_for_text(STAFF, "a demandé un conseiller", since=mark)
        thread = card[-1].params["message_thread_id"]
        mark = len(fake.calls)
        fake.push_message(
            STAFF, chat=tg.supergroup_chat(STAFF), sender=counsellor, text=f"/lier {code}"
        )
        await fake.wait_for_text(STAFF, "Compte Telegram relié à Karim Benali", since=mark)
        fake.push_message(
            STAFF,
            chat=tg.supergroup_chat(STAFF),
            sender=counsellor,
            text="Bonjour Samia, c'est Karim.",
            message_thread_id=thread,
            is_topic_message=True,
        )
        await asyncio.wait_for(kicked.wait(), 5)
    with assistant.sessions() as session:
        staff = session.get(Staff, karim.id)
        assert staff is not None and staff.telegram_user_id == 4242
        reply = session.scalars(select(MessageLog).where(MessageLog.direction == "out")).all()[-1]
        assert (reply.author, reply.channel) == (f"counsellor:{karim.id}", "telegram-staff")
        conversation = session.scalars(select(Conversation)).one()
        assert conversation.handoff_by == f"staff:{karim.id}"
