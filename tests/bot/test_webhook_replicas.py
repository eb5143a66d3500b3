"""Several webhook replicas on one PostgreSQL database: every update answered once, in order
per person, even when a replica dies after its 200 or in the middle of an update."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.messages import Incoming, Reply
from store import inbox
from tests.fakes.assistant import ScriptedAssistant
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_webhook import HOOK_URL, SECRET, deliver, webhook_replica
from tests.pg import temporary_database


@pytest.fixture
def pg_url() -> Iterator[str]:
    with temporary_database("webhook_replicas") as url:
        yield url


class Recorder:
    """Answers ``"<text> ✓"`` after a short random think; records who ran when."""

    def __init__(self, name: str, log: list[tuple[str, int, str, float, float]]) -> None:
        self.name = name
        self.log = log

    async def handle(self, incoming: Incoming) -> list[Reply]:
        started = time.monotonic()
        await asyncio.sleep(random.uniform(0, 0.01))
        self.log.append(
            (self.name, int(incoming.user_ref), incoming.text or "", started, time.monotonic())
        )
        return [Reply(text=f"{incoming.text} ✓")]


async def wait_until(condition, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def undone(replica) -> int:  # type: ignore[no-untyped-def]
    with replica.sessions() as session:
        return inbox.undone_count(session)


async def test_webhook_mode_registers_the_webhook_and_never_polls(tmp_path: Path) -> None:
    async with FakeTelegramApi() as fake:
        url = f"sqlite:///{tmp_path / 'one.db'}"
        async with webhook_replica(fake, url, ScriptedAssistant()) as replica:
            assert fake.webhook is not None
            assert fake.webhook["url"] == HOOK_URL
            assert fake.webhook["secret_token"] == SECRET
            assert fake.webhook["allowed_updates"] == [
                "message",
                "edited_message",
                "callback_query",
            ]
            assert fake.webhook["max_connections"] == 40
            update = fake.push_text(901, "bonjour")
            assert (await replica.post(update)).status_code == 200
            await fake.wait_for_text(901, "bonjour")
        assert fake.calls_of("getUpdates") == []


async def test_an_update_accepted_by_a_replica_that_died_is_answered_by_another(
    pg_url: str,
) -> None:
    async with FakeTelegramApi() as fake:
        # Replica A answers 200 (the rows are committed) and dies before processing them.
        async with webhook_replica(fake, pg_url, ScriptedAssistant(), worker_running=False) as a:
            updates = [fake.push_text(902, f"message {n}") for n in range(3)]
            for update in updates:
                assert (await a.post(update)).status_code == 200
        assert fake.calls_of("sendMessage") == []
        # Replica B (or A after its restart) finds them and answers each once, in order.
        async with webhook_replica(fake, pg_url, ScriptedAssistant()) as b:
            await wait_until(lambda: len(fake.sent_texts(902)) >= 3)
            # a row is marked done just after its replies leave: wait for it, do not race it
            await wait_until(lambda: undone(b) == 0)
        texts = fake.sent_texts(902)
        assert len(texts) == 3  # each answered once
        assert ["message 0" in texts[0], "message 1" in texts[1], "message 2" in texts[2]] == [
            True
        ] * 3


async def test_a_replica_killed_in_the_middle_of_an_update_leaves_it_to_another(
    pg_url: str,
) -> None:
    stuck = asyncio.Event()

    class Stuck:
        async def handle(self, incoming: Incoming) -> list[Reply]:
            stuck.set()
            await asyncio.Event().wait()  # never answers: it is killed
            raise AssertionError("unreachable")

    async with FakeTelegramApi() as fake:
        log: list[tuple[str, int, str, float, float]] = []
        async with webhook_replica(fake, pg_url, Stuck()) as a:
            first = fake.push_text(903, "premier")
            assert (await a.post(first)).status_code == 200
            await asyncio.wait_for(stuck.wait(), 10)  # A is in the middle of it
            async with webhook_replica(fake, pg_url, Recorder("b", log)) as b:
                second = fake.push_text(903, "second")
                assert (await b.post(second)).status_code == 200
                await asyncio.sleep(0.5)
                assert log == []  # B must not overtake: A holds the person's lock
                await a.crash()
                await wait_until(lambda: len(log) == 2)
                assert [entry[2] for entry in log] == ["premier", "second"]
                await wait_until(lambda: len(fake.sent_texts(903)) >= 2)
                await wait_until(lambda: undone(b) == 0)  # done just after the reply left
                assert fake.sent_texts(903) == ["premier ✓", "second ✓"]


async def test_the_same_update_delivered_to_two_replicas_at_once_is_answered_once(
    pg_url: str,
) -> None:
    async with FakeTelegramApi() as fake:
        log: list[tuple[str, int, str, float, float]] = []
        async with (
            webhook_replica(fake, pg_url, Recorder("a", log)) as a,
            webhook_replica(fake, pg_url, Recorder("b", log)) as b,
        ):
            updates = [fake.push_text(1000 + n % 5, f"m{n}") for n in range(30)]
            answers = await asyncio.gather(
                *(replica.post(update) for update in updates for replica in (a, b))
            )
            assert {answer.status_code for answer in answers} == {200}
            await wait_until(lambda: len(fake.calls_of("sendMessage")) >= 30)
            await asyncio.sleep(0.5)
        texts = sorted(fake.sent_texts())
        assert texts == sorted(f"m{n} ✓" for n in range(30))  # each once
        assert len(log) == 30


async def test_per_person_order_holds_across_replicas(pg_url: str) -> None:
    async with FakeTelegramApi() as fake:
        log: list[tuple[str, int, str, float, float]] = []
        async with (
            webhook_replica(fake, pg_url, Recorder("a", log)) as a,
            webhook_replica(fake, pg_url, Recorder("b", log)) as b,
        ):
            chats = [2000 + n for n in range(6)]
            for n in range(8):  # round robin: one person's messages go to both replicas
                for index, chat in enumerate(chats):
                    update = fake.push_text(chat, f"{chat}:{n}")
                    await deliver([a, b], update, start=n + index)
            await wait_until(lambda: len(log) >= 48)
        assert {entry[0] for entry in log} == {"a", "b"}  # both replicas worked
        for chat in chats:
            mine = [entry for entry in log if entry[1] == chat]
            assert [entry[2] for entry in mine] == [f"{chat}:{n}" for n in range(8)]
            for before, after in itertools.pairwise(mine):
                assert before[4] <= after[3], "two updates of one person ran at once"
            assert fake.sent_texts(chat) == [f"{chat}:{n} ✓" for n in range(8)]
