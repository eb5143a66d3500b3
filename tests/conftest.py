"""Shared fixtures: a fresh SQLite database per test, an assistant, a chat."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.build import build_context
from app.context import AppContext
from capabilities.assistant.assistant import Assistant
from capabilities.conversation.machine import RECORDED
from core.clock import FrozenClock
from core.i18n import set_staff_locale
from core.settings import Settings, load_settings
from tests.chat import Chat, FakeNlu
from tests.fakes.brevo_api import FakeBrevo


@pytest.fixture(autouse=True)
def _staff_language_french() -> Iterator[None]:
    """Every test starts and ends with staff reading French (``STAFF_LANGUAGE`` default)."""
    set_staff_locale("fr")
    yield
    set_staff_locale("fr")


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A new SQLite file per test."""
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings for tests: the temporary database, no Telegram, embedded NLU."""
    return load_settings(database_url=database_url, telegram_bot_token=None, rasa_url=None)


@pytest.fixture
def clock() -> FrozenClock:
    """Tuesday 24 November 2026, 10:00 Paris time."""
    return FrozenClock(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))


@pytest.fixture
def fake_nlu() -> FakeNlu:
    """Scripted NLU answers."""
    return FakeNlu()


@pytest.fixture
async def context(
    settings: Settings, fake_nlu: FakeNlu, clock: FrozenClock
) -> AsyncIterator[AppContext]:
    """The real composition root on a fresh database, with scripted NLU."""
    built = build_context(settings, parse=fake_nlu.parse, clock=clock)
    yield built
    await built.aclose()


@pytest.fixture
def assistant(context: AppContext) -> Assistant:
    """The context's assistant."""
    return context.assistant


@pytest.fixture
def chat(assistant: Assistant) -> Chat:
    """One person talking to the assistant."""
    return Chat(assistant)


@pytest.fixture(autouse=True)
def declared_moves_only() -> Iterator[None]:
    """Fail any test during which a flow made a move its machine does not declare."""
    RECORDED.clear()
    yield
    undeclared = list(RECORDED)
    RECORDED.clear()
    assert not undeclared, f"undeclared flow moves (add them to the machine): {undeclared}"


@pytest.fixture
async def brevo() -> AsyncIterator[FakeBrevo]:
    """A fake Brevo on 127.0.0.1 (the SMS tests)."""
    async with FakeBrevo() as fake:
        yield fake
