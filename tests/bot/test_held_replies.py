"""A replica killed after a turn's COMMIT but before it sent the replies: the replica that
takes the update over sends those replies (once), instead of answering nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.build import build_context
from app.context import AppContext
from capabilities.assistant.assistant import Assistant
from core.clock import utcnow
from core.messages import Incoming, Kind, Reply
from core.settings import load_settings
from store import held_replies, inbox
from store.held_replies import HeldReply
from store.models import ChannelAccount, Person
from tests.bot.test_webhook_replicas import wait_until
from tests.chat import FakeNlu
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_webhook import HOOK_URL, SECRET, webhook_replica
from tests.pg import temporary_database


@pytest.fixture
def pg_url() -> Iterator[str]:
    with temporary_database("held_replies") as url:
        yield url


MakeAssistant = Callable[..., Assistant]


@pytest.fixture
async def make() -> AsyncIterator[MakeAssistant]:
    """Assistants as replicas build them (webhook mode unless told), closed at the end."""
    contexts: list[AppContext] = []

    def assistant(database_url: str, *, webhook: bool = True) -> Assistant:
        settings = load_settings(
            database_url=database_url,
            telegram_webhook_url=HOOK_URL if webhook else None,
            telegram_webhook_secret=SECRET if webhook else None,
        )
        contexts.append(build_context(settings, parse=FakeNlu().parse))
        return contexts[-1].assistant

    yield assistant
    for context in contexts:
        await context.aclose()


def _start(update_id: int, chat: str = "5551") -> Incoming:
    return Incoming(
        channel="telegram",
        user_ref=chat,
        kind=Kind.COMMAND,
        text="/start",
        update_id=update_id,
        language_code="fr",
    )


def _held(assistant: Assistant) -> int:
    with assistant.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(HeldReply)) or 0)


def _release(assistant: Assistant, update_id: int) -> None:
    with assistant.sessions() as session, session.begin():
        held_replies.release(session, "telegram", update_id)


async def test_the_replies_of_a_turn_whose_replica_died_are_sent_by_the_next(
    tmp_path: Path, make: MakeAssistant
) -> None:
    url = f"sqlite:///{tmp_path / 'held.db'}"
    first = make(url)
    replies = await first.handle(_start(71))
    assert replies and "Bonjour et bienvenue" in replies[0].text
    # The replica dies here: the replies never left, the update stays undone.
    second = make(url)
    again = await second.handle(_start(71))
    assert [r.text for r in again] == [r.text for r in replies]
    assert [r.buttons for r in again] == [r.buttons for r in replies]
    # Marking the update done releases them: a later delivery answers nothing.
    _release(second, 71)
    assert await second.handle(_start(71)) == []
    assert _held(second) == 0


async def test_replies_handed_to_the_outbox_are_not_sent_a_second_time(
    tmp_path: Path, make: MakeAssistant
) -> None:
    url = f"sqlite:///{tmp_path / 'held.db'}"
    assistant = make(url)
    incoming = _start(72)
    replies = await assistant.handle(incoming)
    await assistant.undelivered(incoming, replies)  # Telegram refused: the outbox has them
    assert await make(url).handle(incoming) == []


async def test_polling_mode_holds_nothing_and_answers_a_redelivery_once(
    tmp_path: Path, make: MakeAssistant
) -> None:
    url = f"sqlite:///{tmp_path / 'held.db'}"
    assistant = make(url, webhook=False)
    assert await assistant.handle(_start(73))
    assert _held(assistant) == 0
    assert await assistant.handle(_start(73)) == []


async def test_held_replies_go_with_the_person_and_after_a_day(
    tmp_path: Path, make: MakeAssistant
) -> None:
    url = f"sqlite:///{tmp_path / 'held.db'}"
    assistant = make(url)
    await assistant.handle(_start(74, chat="61"))
    await assistant.handle(_start(75, chat="62"))
    assert _held(assistant) == 2
    with assistant.sessions() as session, session.begin():
        person_id = session.scalar(
            select(ChannelAccount.person_id).where(ChannelAccount.external_ref == "61")
        )
    assert person_id is not None
    with assistant.sessions() as session, session.begin():
        session.delete(session.get(Person, person_id))  # as /supprimer does
    assert _held(assistant) == 1
    with assistant.sessions() as session, session.begin():
        assert held_replies.purge_older(session, utcnow() - timedelta(days=1)) == 0
        assert held_replies.purge_older(session, utcnow() + timedelta(seconds=1)) == 1


async def test_a_replica_killed_between_commit_and_send_loses_no_reply(
    pg_url: str, make: MakeAssistant
) -> None:
    """Through the real webhook, inbox worker and PostgreSQL: A commits the turn and dies
    before sending; B takes the update and the person gets the answer, once."""
    committed = asyncio.Event()
    a_assistant = make(pg_url)
    answered: list[Reply] = []

    class DiesAfterCommit:
        async def handle(self, incoming: Incoming) -> list[Reply]:
            answered.extend(await a_assistant.handle(incoming))
            committed.set()
            await asyncio.Event().wait()  # killed before sending
            raise AssertionError("unreachable")

    async with FakeTelegramApi() as fake:
        async with webhook_replica(fake, pg_url, DiesAfterCommit()) as a:
            update = fake.push_command(5552, "/start")
            assert (await a.post(update)).status_code == 200
            await asyncio.wait_for(committed.wait(), 10)
            assert _held(a_assistant) == 1
            await a.crash()
        b_assistant = make(pg_url)
        async with webhook_replica(fake, pg_url, b_assistant) as b:
            await wait_until(lambda: len(fake.sent_texts(5552)) >= len(answered))
            await asyncio.sleep(0.5)  # nothing more comes
            assert fake.sent_texts(5552) == [reply.text for reply in answered]
            assert "Bonjour et bienvenue" in fake.sent_texts(5552)[0]
            with b.sessions() as session:
                assert inbox.undone_count(session) == 0
            assert _held(b_assistant) == 0
