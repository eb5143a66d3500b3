"""Server-side console sessions: sign-out, password change and admins revoke them."""

from __future__ import annotations

from collections.abc import Callable

from starlette.testclient import TestClient

from core.clock import FrozenClock
from tests.console.conftest import PASSWORD, csrf_of, post, sign_in


def copy_of(client: TestClient) -> TestClient:
    """A second browser holding a copy of the first one's cookie."""
    other = TestClient(client.app, base_url="http://127.0.0.1")
    for name, value in client.cookies.items():
        other.cookies.set(name, value)
    return other


def opens(client: TestClient, url: str = "/") -> bool:
    return client.get(url, follow_redirects=False).status_code == 200


def second_browser(client: TestClient, email: str) -> TestClient:
    browser = TestClient(client.app, base_url="http://127.0.0.1")
    assert sign_in(browser, email) == 303
    return browser


def test_a_cookie_copied_before_sign_out_opens_nothing_after(
    client: TestClient, add_staff: Callable[..., int]
) -> None:
    add_staff("Admin", "admin@example.org", role="admin")
    assert sign_in(client, "admin@example.org") == 303
    stolen = copy_of(client)
    assert opens(stolen, "/admin")
    assert post(client, "/logout") == 303
    assert not opens(client, "/admin")
    response = stolen.get("/admin", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"


def test_the_cookie_holds_an_opaque_token_not_the_account(
    client: TestClient, add_staff: Callable[..., int]
) -> None:
    add_staff("Karim", "karim@example.org")
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"email": "karim@example.org", "password": PASSWORD, "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    import base64
    import json

    payload = response.cookies["console_session"].split(".")[0]
    data = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    assert set(data) == {"sid"} and "staff_id" not in data


def test_idle_and_absolute_timeouts(
    client: TestClient, add_staff: Callable[..., int], clock: FrozenClock
) -> None:
    add_staff("Karim", "karim@example.org")
    assert sign_in(client, "karim@example.org") == 303
    clock.advance(minutes=29)
    assert opens(client)
    clock.advance(minutes=31)  # 31 minutes without a page
    assert not opens(client)
    assert sign_in(client, "karim@example.org") == 303
    for _ in range(16):  # active all day, a page every 29 minutes (7 h 44)
        clock.advance(minutes=29)
        assert opens(client)
    clock.advance(minutes=29)  # more than 8 hours after sign-in
    assert not opens(client)


def test_changing_the_password_ends_the_other_sessions(
    client: TestClient, add_staff: Callable[..., int]
) -> None:
    add_staff("Karim", "karim@example.org")
    assert sign_in(client, "karim@example.org") == 303
    laptop = second_browser(client, "karim@example.org")
    account = client.get("/account").text
    assert account.count("Fermer cette session") == 1 and "ce navigateur" in account
    data = {"current": "faux", "new": "nouveau mot de passe", "again": "nouveau mot de passe"}
    assert post(client, "/account/password", data, "/account") == 303
    assert "Mot de passe actuel incorrect" in client.get("/account").text
    assert opens(laptop)
    data["current"] = PASSWORD
    assert post(client, "/account/password", data, "/account") == 303
    assert "Mot de passe changé" in client.get("/account").text
    assert opens(client) and not opens(laptop)
    assert sign_in(laptop, "karim@example.org") == 401
    assert sign_in(laptop, "karim@example.org", "nouveau mot de passe") == 303


def test_ending_one_session_from_my_account(
    client: TestClient, add_staff: Callable[..., int]
) -> None:
    add_staff("Karim", "karim@example.org")
    assert sign_in(client, "karim@example.org") == 303
    laptop = second_browser(client, "karim@example.org")
    page = client.get("/account").text
    target = page.split('name="session" value="')[1].split('"')[0]
    assert post(client, "/account/sessions/end", {"session": target}, "/account") == 303
    assert not opens(laptop) and opens(client)
    assert "Fermer cette session" not in client.get("/account").text


def test_an_admin_ends_all_sessions_of_an_account(
    client: TestClient, add_staff: Callable[..., int]
) -> None:
    add_staff("Admin", "admin@example.org", role="admin")
    karim = add_staff("Karim", "karim@example.org")
    laptop = second_browser(client, "karim@example.org")
    phone = second_browser(client, "karim@example.org")
    assert sign_in(client, "admin@example.org") == 303
    assert post(laptop, f"/admin/staff/{karim}/sessions/end", {}, "/") == 403
    assert post(client, f"/admin/staff/{karim}/sessions/end", {}, "/admin") == 303
    assert "toutes les sessions sont fermées" in client.get("/admin").text
    assert not opens(laptop) and not opens(phone) and opens(client)
