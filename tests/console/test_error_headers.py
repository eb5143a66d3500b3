"""A crash in a page still gets the security headers and a kind page, not a traceback."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route
from starlette.testclient import TestClient

from console.app import create_app
from console.web import ConsoleState


async def _boom(request: Request) -> None:
    raise RuntimeError("secret internals")


def test_a_500_carries_the_security_headers(console_state: ConsoleState) -> None:
    app = create_app(console_state)
    app.router.routes.insert(0, Route("/boom", _boom))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text and "Réessayez" in response.text
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
