"""ASSISTANT_PROCESS=1: turns answered by a child process, listeners and recovery here."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.build import build_context
from bot.assistant_process import AssistantProcess
from core.events import Event
from core.messages import Incoming, Kind
from core.settings import load_settings

_ids = itertools.count(1)


def _incoming(kind: Kind, *, text: str = "", payload: str = "", user: str = "4242") -> Incoming:
    return Incoming(
        "telegram",
        user,
        kind,
        text=text,
        payload=payload,
        update_id=next(_ids),
        language_code="fr",
    )


@pytest.fixture
async def remote(tmp_path: Path) -> AsyncIterator[tuple[AssistantProcess, list[Event]]]:
    """A real child process on a temporary SQLite database; events seen by a local listener."""
    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'a.db'}", rasa_url=None)
    context = build_context(settings)  # migrates; the child does not
    local = context.assistant
    seen: list[Event] = []

    async def listener(event: Event) -> None:
        seen.append(event)

    local.services.listeners.append(listener)
    process = AssistantProcess(settings, local)
    await process.start()
    try:
        yield process, seen
    finally:
        await process.aclose()
        await context.aclose()


async def test_the_child_answers_and_the_listeners_run_here(
    remote: tuple[AssistantProcess, list[Event]],
) -> None:
    process, seen = remote
    welcome = await process.handle(_incoming(Kind.COMMAND, text="/start"))
    assert any("Vie privée" in reply.text for reply in welcome)
    await process.handle(_incoming(Kind.BUTTON, payload="consent:yes"))
    card = await process.handle(_incoming(Kind.BUTTON, payload="card:transport"))
    assert any("DK'Bus" in reply.text for reply in card)
    await process.handle(_incoming(Kind.BUTTON, payload="human:ask"))
    assert "handoff" in [event.name for event in seen]  # the staff group would hear of it
    # many people at once, all answered by the one child
    crowd = await asyncio.gather(
        *(process.handle(_incoming(Kind.COMMAND, text="/start", user=f"p{i}")) for i in range(30))
    )
    assert all(any("Vie privée" in r.text for r in replies) for replies in crowd)


async def test_a_dead_child_costs_an_apology_at_most_and_a_new_one_answers(
    remote: tuple[AssistantProcess, list[Event]],
) -> None:
    process, _seen = remote
    await process.handle(_incoming(Kind.COMMAND, text="/start"))
    child = process._child
    assert child is not None
    os.kill(child.pid, signal.SIGKILL)
    await child.wait()
    replies = await process.handle(_incoming(Kind.COMMAND, text="/start", user="other"))
    assert replies and "Traceback" not in replies[0].text
    assert process.restarts == 1
    assert any("Vie privée" in reply.text for reply in replies)  # the new child answered
