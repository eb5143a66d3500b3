"""TelegramChannel: the port the outbox and hand-off relay use, with PTB errors translated."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.telegram_bot import free_rate, paid_broadcast_on, rate_limiter
from bot.telegram_channel import TelegramChannel, parse_user_ref
from core.messages import Button, Reply
from core.ports import DeliveryError, RecipientBlocked, RetryLater, TransientDeliveryError
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


async def test_paid_broadcast_asks_telegram_and_skips_the_free_rate_limit() -> None:
    """With the production limiter (30/s overall), free messages are paced; the dispatcher's
    paid-broadcast channel sends with ``allow_paid_broadcast`` and PTB's 1000/s limiter."""
    async with telegram_bot(EchoAssistant(), overall_max_rate=None) as (fake, app):
        timings = {}
        for paid in (False, True):
            channel = TelegramChannel(app.bot, paid_broadcast=paid)
            started = time.perf_counter()
            await asyncio.gather(
                *(channel.send(str(400000000 + i), [Reply(text="Bonjour")]) for i in range(60))
            )
            timings[paid] = time.perf_counter() - started
    sent = fake.calls_of("sendMessage")
    assert [bool(c.params.get("allow_paid_broadcast")) for c in sent] == [False] * 60 + [True] * 60
    assert "allow_paid_broadcast" not in sent[0].params  # nothing at all on the free path
    assert timings[False] >= 0.9  # 30 at once, then 30 a second
    assert timings[True] < timings[False]


def test_rate_limiter_follows_the_cadence_file() -> None:
    assert free_rate() == 30 and paid_broadcast_on() is False
    assert rate_limiter()._base_limiter.max_rate == 30
    assert rate_limiter(0)._base_limiter is None
