"""TelegramChannel: the port the outbox and hand-off relay use, with PTB errors translated."""

from __future__ import annotations

import pytest

from bot.telegram_channel import TelegramChannel, parse_user_ref
from flows.messages import Button, Reply
from flows.ports import DeliveryError, RecipientBlocked, RetryLater, TransientDeliveryError
from tests.fakes.assistant import EchoAssistant
from tests.fakes.telegram_api import keyboard_payloads
from tests.fakes.telegram_harness import telegram_bot

HELLO = [Reply(text="Votre rendez-vous est confirmé.", buttons=((Button("Menu", "menu"),),))]


async def test_send_delivers_in_order_to_a_chat_and_to_a_forum_topic() -> None:
    async with telegram_bot(EchoAssistant()) as (fake, app):
        channel = TelegramChannel(app.bot)
        await channel.send("412345678", [*HELLO, Reply(text="À bientôt")])
        await channel.send("-1001987654321:77", [Reply(text="Nouvelle demande")])
    sent = fake.calls_of("sendMessage")
    assert [(c.params["chat_id"], c.params["text"]) for c in sent] == [
        (412345678, "Votre rendez-vous est confirmé."),
        (412345678, "À bientôt"),
        (-1001987654321, "Nouvelle demande"),
    ]
    assert keyboard_payloads(sent[0]) == ["menu"]
    assert sent[2].params["message_thread_id"] == 77
    assert channel.name == "telegram"


async def test_blocked_user_raises_recipient_blocked() -> None:
    async with telegram_bot(EchoAssistant()) as (fake, app):
        fake.fail("sendMessage", "blocked")
        with pytest.raises(RecipientBlocked):
            await TelegramChannel(app.bot).send("412345678", HELLO)


async def test_flood_limit_after_retries_raises_retry_later_with_the_delay() -> None:
    async with telegram_bot(EchoAssistant(), max_retries=0) as (fake, app):
        fake.fail("sendMessage", "retry_after", retry_after=17)
        with pytest.raises(RetryLater) as caught:
            await TelegramChannel(app.bot).send("412345678", HELLO)
    assert caught.value.retry_after == 17


@pytest.mark.parametrize("kind", ["close", "bad_gateway", "server_error"])
async def test_network_failures_are_transient(kind: str) -> None:
    async with telegram_bot(EchoAssistant()) as (fake, app):
        fake.fail("sendMessage", kind)
        with pytest.raises(TransientDeliveryError):
            await TelegramChannel(app.bot).send("412345678", HELLO)
        # and the next attempt goes through
        await TelegramChannel(app.bot).send("412345678", HELLO)
    assert len(fake.calls_of("sendMessage")) == 2


async def test_bad_request_and_bad_refs_are_final_delivery_errors() -> None:
    async with telegram_bot(EchoAssistant()) as (fake, app):
        fake.fail("sendMessage", "not_modified")
        channel = TelegramChannel(app.bot)
        with pytest.raises(DeliveryError) as caught:
            await channel.send("412345678", HELLO)
        assert not isinstance(caught.value, TransientDeliveryError | RetryLater)
        with pytest.raises(DeliveryError):
            await channel.send("u1", HELLO)


def test_user_refs() -> None:
    assert parse_user_ref("42") == (42, None)
    assert parse_user_ref("-100123:45") == (-100123, 45)
