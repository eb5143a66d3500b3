"""Sign-in throttle: sprays are stopped per address, strangers cannot lock anyone out."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from capabilities.assistant.assistant import Assistant
from console import throttle
from console.addresses import TrustedProxies, forwarded_client
from core.clock import FrozenClock
from core.settings import Settings, load_settings
from store.console_models import LoginAttempt
from tests.console.conftest import PASSWORD, csrf_of


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The test client stands for a trusted reverse proxy."""
    return load_settings(
        database_url=database_url,
        telegram_bot_token=None,
        rasa_url=None,
        forwarded_allow_ips="testclient, 10.0.0.0/8",
    )


def attempt(client: TestClient, email: str, password: str, address: str | None) -> int:
    headers = {"X-Forwarded-For": address} if address else {}
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf": csrf_of(page.text)},
        headers=headers,
        follow_redirects=False,
    )
    return response.status_code


def test_a_spray_from_one_address_is_stopped(client: TestClient) -> None:
    codes = [attempt(client, f"c{n}@example.org", "guess", "203.0.113.9") for n in range(30)]
    assert codes[:20] == [401] * 20
    assert codes[20:] == [429] * 10
    assert attempt(client, "c99@example.org", "guess", "198.51.100.7") == 401  # others go on


def test_a_stranger_cannot_lock_a_counsellor_out(
    client: TestClient, add_staff: Callable[..., int], assistant: Assistant
) -> None:
    sessions = assistant.sessions
    add_staff("Karim", "karim@example.org")
    codes = [attempt(client, "karim@example.org", "guess", "203.0.113.9") for _ in range(12)]
    assert codes == [401] * 5 + [429] * 7
    assert attempt(client, "karim@example.org", PASSWORD, "203.0.113.9") == 429
    assert attempt(client, "karim@example.org", PASSWORD, "198.51.100.7") == 303  # his own PC
    with sessions() as session:
        rows = list(session.scalars(select(LoginAttempt).order_by(LoginAttempt.id)))
    assert sum(1 for r in rows if not r.ok and not r.throttled) == 5  # the waits never count
    assert {r.ip for r in rows} == {"203.0.113.9", "198.51.100.7"}


def test_the_wait_ends_and_is_not_renewed_by_trying(
    client: TestClient, add_staff: Callable[..., int], clock: FrozenClock
) -> None:
    add_staff("Karim", "karim@example.org")
    for _ in range(5):
        attempt(client, "karim@example.org", "guess", "203.0.113.9")
    for _ in range(10):
        clock.advance(minutes=1)
        assert attempt(client, "karim@example.org", "guess", "203.0.113.9") == 429
    clock.advance(minutes=6)  # 16 minutes after the fifth failure
    assert attempt(client, "karim@example.org", PASSWORD, "203.0.113.9") == 303


def test_many_addresses_against_one_account_do_not_stop_a_known_address(
    client: TestClient,
    add_staff: Callable[..., int],
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(throttle, "ACCOUNT_LIMIT", 10)  # 50 in production: fewer Argon2 here
    add_staff("Karim", "karim@example.org")
    assert attempt(client, "karim@example.org", PASSWORD, "198.51.100.7") == 303
    client.cookies.clear()
    clock.advance(minutes=1)
    for n in range(10):
        assert attempt(client, "karim@example.org", "guess", f"203.0.113.{n + 1}") == 401
    assert attempt(client, "karim@example.org", PASSWORD, "192.0.2.44") == 429  # new address
    assert attempt(client, "karim@example.org", PASSWORD, "198.51.100.7") == 303  # known one


def test_forwarded_for_is_believed_only_from_a_configured_proxy() -> None:
    trusted = TrustedProxies.parse("127.0.0.1, 10.0.0.0/8")
    assert forwarded_client("127.0.0.1", "203.0.113.9", trusted) == "203.0.113.9"
    assert forwarded_client("10.1.2.3", "1.2.3.4, 203.0.113.9, 10.0.0.5", trusted) == "203.0.113.9"
    assert forwarded_client("198.51.100.7", "203.0.113.9", trusted) == "198.51.100.7"
    assert forwarded_client("127.0.0.1", "not-an-ip", trusted) == "127.0.0.1"
    assert "198.51.100.7" not in TrustedProxies.parse("")


def test_without_a_trusted_proxy_the_header_changes_nothing(
    database_url: str, console_state: object, add_staff: Callable[..., int]
) -> None:
    from console.app import create_app
    from console.web import ConsoleState

    assert isinstance(console_state, ConsoleState)
    console_state.settings = load_settings(database_url=database_url, forwarded_allow_ips="")
    add_staff("Karim", "karim@example.org")
    with TestClient(create_app(console_state), base_url="http://127.0.0.1") as client:
        for n in range(5):
            assert attempt(client, "karim@example.org", "guess", f"203.0.113.{n}") == 401
        assert attempt(client, "karim@example.org", PASSWORD, "198.51.100.7") == 429
