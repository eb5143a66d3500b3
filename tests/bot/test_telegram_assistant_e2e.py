"""The real assistant (SQLite in tmp_path) behind the real PTB Application and the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.build import build_context
from capabilities.assistant.assistant import Assistant
from core.settings import load_settings
from store.models import Person
from tests.chat import FakeNlu
from tests.fakes.telegram_api import FakeTelegramApi, keyboard_payloads
from tests.fakes.telegram_harness import telegram_bot

CHAT = 412345678


@pytest.fixture
async def served(
    tmp_path: Path,
) -> AsyncIterator[tuple[FakeTelegramApi, Assistant]]:
    """The fake Bot API and a polling Application serving a real assistant."""
    database_url = f"sqlite:///{tmp_path / 'assistant.db'}"
    context = build_context(load_settings(database_url=database_url), parse=FakeNlu().parse)
    assistant = context.assistant
    async with telegram_bot(assistant, settings_overrides={"database_url": database_url}) as (
        fake,
        _app,
    ):
        yield fake, assistant
    await context.aclose()


def _people(assistant: Assistant) -> int:
    with assistant.sessions() as session:
        return session.scalar(select(func.count()).select_from(Person)) or 0


async def _step(fake: FakeTelegramApi, fragment: str, push: Any, *args: Any) -> list[str]:
    """Push one update, wait for the reply containing ``fragment``; the keyboard payloads."""
    since = len(fake.calls)
    push(CHAT, *args)
    calls = await fake.wait_for_text(CHAT, fragment, since=since)
    return keyboard_payloads(calls[-1])


async def test_consent_menu_navigation_question_and_erasure(
    served: tuple[FakeTelegramApi, Assistant],
) -> None:
    fake, assistant = served
    payloads = await _step(fake, "Vie privée", fake.push_command, "/start")
    assert {"consent:yes", "consent:no"} <= set(payloads)

    payloads = await _step(fake, "Que voulez-vous savoir", fake.push_callback, "consent:yes")
    assert "card:transport" in payloads
    assert "human:ask" in payloads
    assert fake.calls_of("answerCallbackQuery")  # the pressed button stopped spinning

    payloads = await _step(fake, "Se déplacer", fake.push_callback, "card:transport")
    assert "card:transport.dkbus" in payloads
    await _step(fake, "DK'Bus", fake.push_callback, "card:transport.dkbus")

    await _step(fake, "Se déplacer", fake.push_text, "bus")  # free text → NLU → the card

    payloads = await _step(fake, "vraiment effacer", fake.push_command, "/supprimer")
    confirm = next(p for p in payloads if p.startswith("privacy:confirm"))
    assert _people(assistant) == 1
    await _step(fake, "j'ai tout effacé", fake.push_callback, confirm)
    assert _people(assistant) == 0
    assert len(fake.calls_of("answerCallbackQuery")) == 4  # every press answered


async def test_a_redelivered_update_is_answered_once(
    served: tuple[FakeTelegramApi, Assistant],
) -> None:
    fake, _assistant = served
    await _step(fake, "Vie privée", fake.push_command, "/start")
    await _step(fake, "Que voulez-vous savoir", fake.push_callback, "consent:yes")
    since = len(fake.calls)
    first = fake.push_text(CHAT, "bus")
    fake.push_duplicate(first)
    fake.push_text(CHAT, "/aide")
    await fake.wait_for_text(CHAT, "/supprimer", since=since)
    texts = [str(c.params["text"]) for c in fake.calls[since:] if c.method == "sendMessage"]
    assert sum(t.startswith("Se déplacer") for t in texts) == 1


async def test_stickers_and_unknown_commands_get_a_kind_french_answer(
    served: tuple[FakeTelegramApi, Assistant],
) -> None:
    fake, _assistant = served
    await _step(fake, "Vie privée", fake.push_command, "/start")
    await _step(fake, "Que voulez-vous savoir", fake.push_callback, "consent:yes")
    payloads = await _step(fake, "Je ne lis que les messages écrits", fake.push_sticker)
    assert "card:trades" in payloads
    await _step(fake, "Je ne connais pas cette commande", fake.push_command, "/inconnue")


async def test_a_reply_telegram_refuses_is_sent_later_through_the_outbox_exactly_once(
    tmp_path: Path,
) -> None:
    from bot.telegram_channel import TelegramChannel
    from capabilities.programme.rules import load_rules
    from scheduler.dispatch import Dispatcher
    from store.outbox import OutboxMessage

    database_url = f"sqlite:///{tmp_path / 'assistant.db'}"
    context = build_context(load_settings(database_url=database_url), parse=FakeNlu().parse)
    assistant = context.assistant
    overrides = {"database_url": database_url}
    async with telegram_bot(assistant, settings_overrides=overrides) as (fake, app):
        await _step(fake, "Vie privée", fake.push_command, "/start")
        await _step(fake, "Que voulez-vous savoir", fake.push_callback, "consent:yes")
        fake.fail("sendMessage", "server_error")  # Telegram fails on this answer
        before = len(fake.calls_of("sendMessage"))
        update = fake.push_text(CHAT, "bus")
        await fake.wait_for("sendMessage", count=before + 1)
        await fake.wait_idle()
        attempts = [text for text in fake.sent_texts(CHAT) if "DK'Bus" in text]
        assert len(attempts) == 1  # the attempt Telegram answered with an error
        with assistant.sessions() as session:
            rows = session.scalars(select(OutboxMessage)).all()
            assert [(row.rule, row.status) for row in rows] == [("reply", "pending")]

        fake.push_duplicate(update)  # delivered again: nothing answered or queued twice
        await fake.wait_idle()
        dispatcher = Dispatcher(
            assistant.sessions, {"telegram": TelegramChannel(app.bot)}, load_rules()
        )
        try:
            await dispatcher.drain_once()
        finally:
            await dispatcher.close()
        assert len([text for text in fake.sent_texts(CHAT) if "DK'Bus" in text]) == 2  # +1 ok
        with assistant.sessions() as session:
            statuses = [row.status for row in session.scalars(select(OutboxMessage))]
        assert statuses == ["sent"]
    await context.aclose()
