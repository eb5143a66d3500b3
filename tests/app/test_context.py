"""The composition root: one context per process, built from the settings, closed once."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from app.build import build_context, database
from app.context import AppContext
from core.messages import Reply
from core.ports import Channel, Renders
from core.settings import Settings
from tests.chat import Chat, FakeNlu


class RecordingChannel:
    """A channel that records its lifecycle in a shared journal."""

    renders = frozenset({Renders.BUTTONS})

    def __init__(self, name: str, journal: list[str], *, fail_stop: bool = False) -> None:
        self.name = name
        self.journal = journal
        self.fail_stop = fail_stop

    async def start(self) -> None:
        self.journal.append(f"start {self.name}")

    async def stop(self) -> None:
        self.journal.append(f"stop {self.name}")
        if self.fail_stop:
            raise RuntimeError("the network is gone")

    async def send(self, user_ref: str, replies: Sequence[Reply]) -> None:
        self.journal.append(f"send {self.name} {user_ref}")


def test_the_recording_channel_is_a_channel() -> None:
    assert isinstance(RecordingChannel("x", []), Channel)


async def test_the_context_answers_and_installs_every_capability(context: AppContext) -> None:
    chat = Chat(context.assistant)
    await chat.consent()
    assert "Que voulez-vous savoir" in chat.text
    services = context.services
    # appointments and the programme installed themselves: /mesdonnees and /start hooks
    assert len(services.data_sections) == 3 and len(services.start_handlers) == 1
    assert len(services.erase_hooks) == 1
    assert context.assistant.kick == context.wakeup.kick


async def test_channels_start_in_order_and_stop_in_reverse_once(
    settings: Settings, fake_nlu: FakeNlu
) -> None:
    journal: list[str] = []
    context = build_context(settings, parse=fake_nlu.parse)
    context.add_channel(RecordingChannel("telegram", journal))
    context.add_channel(RecordingChannel("web", journal, fail_stop=True))

    async def closer() -> None:
        journal.append("closer")

    context.on_close(closer)
    await context.start()
    await context.start()  # a second start starts nothing twice
    await context.aclose()
    await context.aclose()  # nor does a second close stop anything twice
    assert journal == ["start telegram", "start web", "stop web", "stop telegram", "closer"]


async def test_a_channel_name_is_installed_once(settings: Settings, fake_nlu: FakeNlu) -> None:
    context = build_context(settings, parse=fake_nlu.parse)
    try:
        context.add_channel(RecordingChannel("telegram", []))
        with pytest.raises(ValueError, match="telegram"):
            context.add_channel(RecordingChannel("telegram", []))
    finally:
        await context.aclose()


async def test_the_wakeup_reaches_registered_dispatchers_only(context: AppContext) -> None:
    woken: list[str] = []
    unregister = context.wakeup.register(lambda: woken.append("dispatcher"))
    context.wakeup.kick()
    unregister()
    context.wakeup.kick()
    assert woken == ["dispatcher"]


def test_commands_get_a_migrated_database_and_release_it(settings: Settings) -> None:
    with database(settings) as db, db.sessions() as session:
        assert session.get_bind().dialect.name == "sqlite"
    assert db.engine.pool.checkedout() == 0
