"""The lean Bot API client (default) and PTB's httpx client behave the same for the adapter."""

from __future__ import annotations

import asyncio

import pytest

from bot.telegram_channel import TelegramChannel
from bot.telegram_http import LeanRequest
from core.messages import Reply
from core.ports import RecipientBlocked
from tests.fakes.assistant import ScriptedAssistant
from tests.fakes.telegram_api import keyboard_payloads
from tests.fakes.telegram_harness import telegram_bot

CHAT = 412345678


async def test_connections_closed_by_the_server_while_idle_are_not_reused() -> None:
    async with telegram_bot(ScriptedAssistant()) as (fake, app):
        channel = TelegramChannel(app.bot)
        await channel.send(str(CHAT), [Reply(text="un")])
        request = app.bot.request
        assert isinstance(request, LeanRequest)
        assert fake.close_idle_connections() >= 1
        idle = [conn for conns in request._idle.values() for conn in conns]
        for _ in range(1000):  # let the loop deliver the FIN (no clock involved)
            if all(reader.at_eof() for reader, _writer, _at in idle):
                break
            await asyncio.sleep(0)
        await channel.send(str(CHAT), [Reply(text="deux")])
    assert fake.sent_texts(CHAT) == ["un", "deux"]


@pytest.mark.parametrize("fast_http", [True, False])
async def test_both_clients_answer_buttons_and_map_errors(fast_http: bool) -> None:
    async with telegram_bot(ScriptedAssistant(), fast_http=fast_http) as (fake, app):
        fake.push_command(CHAT, "/start")
        fake.push_callback(CHAT, "consent:yes")
        sent = await fake.wait_for("sendMessage", count=3)
        fake.fail("sendMessage", "blocked")
        with pytest.raises(RecipientBlocked):
            await TelegramChannel(app.bot).send(str(CHAT), [Reply(text="x")])
    assert keyboard_payloads(sent[1])[:2] == ["consent:yes", "consent:no"]
    assert sent[2].params["text"] == "Rubrique consent:yes"
    assert len(fake.calls_of("answerCallbackQuery")) == 1


@pytest.mark.parametrize("fast_http", [True, False])
async def test_replies_wait_for_a_free_connection_instead_of_being_dropped(
    fast_http: bool,
) -> None:
    assistant = ScriptedAssistant()
    assistant.yields = 3
    async with telegram_bot(
        assistant, fast_http=fast_http, connection_pool_size=1, concurrent_updates=64
    ) as (fake, _app):
        for chat in range(2000, 2120):
            fake.push_text(chat, "bonjour")
        sent = await fake.wait_for("sendMessage", count=120, timeout=30)
    assert len({c.params["chat_id"] for c in sent}) == 120
