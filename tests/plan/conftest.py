"""A person answering a questionnaire taps fast: no flood guard in these tests."""

from __future__ import annotations

import pytest

from core.settings import Settings, load_settings


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The shared test settings, with a flood guard no questionnaire reaches."""
    return load_settings(
        database_url=database_url,
        telegram_bot_token=None,
        rasa_url=None,
        throttle_messages=1000,
    )


# The console's fixtures (a signed-in counsellor, the test client) for the intake tests.
from tests.console.conftest import (  # noqa: E402, F401
    add_staff,
    client,
    console_state,
    integrations,
    kicks,
)
