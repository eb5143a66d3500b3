"""Group commit: many people at once share a transaction, and nobody pays for another's error."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from app.build import build_context
from capabilities.assistant.assistant import Assistant
from capabilities.conversation.basics import SmallTalkFlow
from core.clock import FrozenClock
from core.messages import Kind
from core.settings import load_settings
from store.models import MessageLog, Person, ProcessedUpdate
from tests.chat import Chat, FakeNlu
from tests.pg import temporary_database


def _count(assistant: Assistant, model: Any) -> int:
    with assistant.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


async def _crowd(assistant: Assistant, size: int) -> list[Chat]:
    chats = [Chat(assistant, user=f"p{i}") for i in range(size)]
    await asyncio.gather(*(chat.consent() for chat in chats))
    return chats


async def test_people_writing_at_once_share_transactions_and_all_get_their_answer(
    assistant: Assistant,
) -> None:
    chats = await _crowd(assistant, 20)
    before = _count(assistant, MessageLog)
    assistant.groups.sizes.clear()
    await asyncio.gather(*(chat.say("bus") for chat in chats))
    assert all("DK'Bus" in chat.text for chat in chats)
    assert max(assistant.groups.sizes) > 1  # grouped, not one transaction each
    assert sum(assistant.groups.sizes) == 20
    assert _count(assistant, MessageLog) - before == 20 * 2  # each question and its answer
    assert not assistant._locks  # nothing kept per person once their turns are over


async def test_a_failing_turn_in_a_group_only_costs_its_own_answer(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    chats = await _crowd(assistant, 12)
    original = SmallTalkFlow.start

    def broken_for_p3(self: SmallTalkFlow, turn: Any) -> Any:
        if turn.incoming.user_ref == "p3":
            turn.session.add(Person(consent="given"))  # half-done work must vanish
            raise RuntimeError("bug in a step")
        return original(self, turn)

    monkeypatch.setattr(SmallTalkFlow, "start", broken_for_p3)
    people_before = _count(assistant, Person)
    logs_before = _count(assistant, MessageLog)
    assistant.groups.sizes.clear()
    await asyncio.gather(*(chat.say("bonjour") for chat in chats))
    assert max(assistant.groups.sizes) > 1  # the failure happened inside a shared transaction
    assert "problème technique" in chats[3].text
    others = [chat for i, chat in enumerate(chats) if i != 3]
    assert all("problème technique" not in chat.text and chat.last for chat in others)
    assert _count(assistant, Person) == people_before  # the failed step left nothing
    assert _count(assistant, MessageLog) - logs_before == 11 * 2  # the others are all kept
    monkeypatch.undo()
    await chats[3].say("bonjour")
    assert "problème technique" not in chats[3].text  # nothing stuck for p3 either


async def test_the_same_update_twice_in_a_crowd_is_answered_once(assistant: Assistant) -> None:
    chats = await _crowd(assistant, 5)
    chats.append(chats[0])  # the same person again, with the same update id
    incomings = [
        chat._incoming(Kind.TEXT, text="bus", update_id=990_000 + i) for i, chat in enumerate(chats)
    ]
    incomings[-1] = incomings[0]  # re-delivered while the first delivery is in flight
    results = await asyncio.gather(*(assistant.handle(m) for m in incomings))
    answered = [bool(replies) for replies in results]
    assert answered == [True] * 5 + [False]
    with assistant.sessions() as session:
        claimed = session.scalar(select(func.count()).where(ProcessedUpdate.update_id >= 990_000))
    assert claimed == 5


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with temporary_database("group_commit") as url:
        yield url


@pytest.mark.postgres
async def test_postgres_groups_run_off_the_event_loop_and_answer_everyone(
    postgres_url: str, clock: FrozenClock
) -> None:
    settings = load_settings(database_url=postgres_url, telegram_bot_token=None, rasa_url=None)
    context = build_context(settings, parse=FakeNlu().parse, clock=clock)
    assistant = context.assistant
    try:
        chats = await _crowd(assistant, 15)
        ticks = 0

        async def ticker() -> None:  # the loop must keep running while the database works
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        task = asyncio.create_task(ticker())
        await asyncio.gather(*(chat.say("logement") for chat in chats))
        task.cancel()
        assert all("Se loger" in chat.text for chat in chats)
        assert ticks > len(assistant.groups.sizes)
        with assistant.sessions() as session:
            logged = session.scalar(
                select(func.count()).select_from(MessageLog).where(MessageLog.text == "logement")
            )
        assert logged == 15
    finally:
        await context.aclose()
