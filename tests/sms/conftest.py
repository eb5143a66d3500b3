"""The SMS tests' fixtures: a fake Brevo on 127.0.0.1 and a context wired for SMS."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from app.build import build_context
from app.context import AppContext
from app.sms import SmsParts, wire_sms
from core.clock import FrozenClock
from core.settings import Settings
from tests.chat import FakeNlu
from tests.fakes.brevo_api import FakeBrevo
from tests.fakes.brevo_settings import brevo_settings


@pytest.fixture
def sms_settings(database_url: str, brevo: FakeBrevo) -> Settings:
    return brevo_settings(database_url, brevo.base_url)


@pytest.fixture
async def wired(
    sms_settings: Settings, fake_nlu: FakeNlu, clock: FrozenClock
) -> AsyncIterator[tuple[AppContext, SmsParts]]:
    context = build_context(sms_settings, parse=fake_nlu.parse, clock=clock)
    parts = wire_sms(context)
    assert parts is not None
    await context.start()
    yield context, parts
    await context.aclose()
