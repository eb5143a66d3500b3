"""The console says honestly whether a counsellor's reply can reach the person."""

from __future__ import annotations

from console.web import ConsoleState
from core.settings import load_settings


def state(token: str | None) -> ConsoleState:
    settings = load_settings(database_url="sqlite://", telegram_bot_token=token)
    return ConsoleState(sessions=None, settings=settings)  # type: ignore[arg-type]


def test_a_web_visitor_is_reached_without_telegram() -> None:
    assert state(None).delivers(["web"])


def test_telegram_needs_its_token_and_the_local_chat_is_never_reached() -> None:
    assert not state(None).delivers(["telegram"])
    assert state("123:abc").delivers(["telegram"])
    assert not state("123:abc").delivers(["local"])
    assert not state(None).delivers([])
