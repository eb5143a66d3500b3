"""Fixtures for the programme: an assistant with the programme installed, a counsellor."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from app.build import build_assistant
from app.registry import build_registry
from capabilities.conversation.assistant import Assistant
from capabilities.conversation.services import Services
from capabilities.information.catalog import Catalog, CatalogError
from capabilities.programme import install
from core.clock import FrozenClock
from core.settings import Settings
from store.db import make_engine, make_session_factory
from store.migrate import upgrade
from store.staff import Staff
from tests.chat import FakeNlu


@pytest.fixture
async def assistant(
    settings: Settings, fake_nlu: FakeNlu, clock: FrozenClock
) -> AsyncIterator[Assistant]:
    """The real composition root; without the content files, the same wiring by hand."""
    try:
        built = build_assistant(settings, parse=fake_nlu.parse, clock=clock)
    except CatalogError:
        engine = make_engine(settings.database_url)
        upgrade(engine)
        services = install(
            Services(registry=build_registry(), catalog=Catalog({}, {}), clock=clock)
        )
        built = Assistant(make_session_factory(engine), services, settings, fake_nlu.parse)
        built.engine = engine

        async def dispose() -> None:
            engine.dispose()

        built.on_close(dispose)
    yield built
    await built.aclose()


@pytest.fixture
def counsellor(assistant: Assistant) -> int:
    """A counsellor in the shared staff table."""
    with assistant.sessions() as session:
        staff = Staff(name="Claire Martin", role="counsellor")
        session.add(staff)
        session.commit()
        return staff.id
