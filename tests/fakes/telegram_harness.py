"""Run the real PTB Application against the fake Bot API inside a test."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from bot.telegram_app import build_application, polling
from core.ports import Handler
from core.settings import Settings, load_settings
from tests.fakes.telegram_api import TOKEN, FakeTelegramApi


def fake_settings(fake: FakeTelegramApi, **overrides: Any) -> Settings:
    """Settings pointing PTB at the fake server."""
    return load_settings(telegram_bot_token=TOKEN, telegram_api_url=fake.base_url, **overrides)


@contextlib.asynccontextmanager
async def telegram_bot(
    handler: Handler,
    *,
    settings_overrides: dict[str, Any] | None = None,
    **build: Any,
) -> AsyncIterator[tuple[FakeTelegramApi, Any]]:
    """The fake Bot API and a polling Application serving ``handler``, stopped on exit."""
    async with FakeTelegramApi() as fake:
        settings = fake_settings(fake, **(settings_overrides or {}))
        build.setdefault("overall_max_rate", 0)  # Telegram's 30 msg/s is not under test here
        app = build_application(settings, handler, **build)
        async with polling(app):
            yield fake, app
