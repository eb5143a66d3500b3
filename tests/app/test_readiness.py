"""``/readyz`` tells the truth: a database that is gone or not migrated makes the process
not ready (503), Rasa down only degrades it, and ``/metrics`` still answers without the
database (``assistant_metrics_database_up 0``)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import create_engine, text
from starlette.applications import Starlette
from starlette.routing import BaseRoute
from starlette.testclient import TestClient

from app.build import build_context, open_database
from app.health import Readiness, database_probe, readiness, receiving_probe
from app.ops import context_routes, ops_routes
from core.settings import load_settings
from nlu.rasa_client import RasaClient, RasaNluService
from store.db import make_engine, make_session_factory
from tests.chat import FakeNlu
from tests.pg import ADMIN_URL, temporary_database

TOKEN = "a-long-metrics-token"


def now() -> datetime:
    return datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens there once closed


def client_for(checks: Readiness, url: str) -> TestClient:
    engine = make_engine(url)
    routes = ops_routes(checks, make_session_factory(engine), now, TOKEN)
    return TestClient(Starlette(routes=routes))


@pytest.fixture
def pg_url() -> Iterator[str]:
    with temporary_database("assistant_ready") as url:
        yield url


@pytest.mark.postgres
def test_ready_on_a_migrated_database_then_not_ready_when_it_is_gone(pg_url: str) -> None:
    database = open_database(load_settings(database_url=pg_url))
    checks = readiness(database.engine, None, None)
    with client_for(checks, pg_url) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"]["database"] == {
            "status": "ok",
            "detail": "reachable, schema at the head migrations",
        }
        # the server loses the database (dropped, or PostgreSQL stopped): not ready at once
        admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        name = pg_url.rsplit("/", 1)[1]
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
        down = client.get("/readyz")
        assert down.status_code == 503
        assert down.json()["status"] == "down"
        detail = down.json()["checks"]["database"]
        assert detail["status"] == "down"
        assert detail["detail"].startswith("unreachable")
        assert "postgres" not in detail["detail"]  # never the URL
        # metrics still answer, and say the database is unreadable
        metrics = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert metrics.status_code == 200
        assert "assistant_metrics_database_up 0.0" in metrics.text
        assert 'assistant_check_up{check="database"} 0.0' in metrics.text
    database.engine.dispose()


def test_no_server_at_all_is_not_ready() -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/nothing"
    checks = Readiness({"database": database_probe(make_engine(url))})
    with client_for(checks, url) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["status"] == "down"


def test_a_database_behind_the_migrations_is_not_ready(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    engine = make_engine(url)  # never migrated: what an upgrade that failed half-way leaves
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
        connection.execute(text("INSERT INTO alembic_version VALUES ('0002')"))
    checks = Readiness({"database": database_probe(engine)})
    with client_for(checks, url) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert "python -m store upgrade" in response.json()["checks"]["database"]["detail"]


async def test_rasa_down_is_degraded_not_down(tmp_path: object) -> None:
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path}/rasa.db",
        rasa_url=f"http://127.0.0.1:{closed_port()}",
        metrics_token=TOKEN,
    )
    context = build_context(settings, parse=FakeNlu().parse)
    nlu = RasaNluService(RasaClient(settings.rasa_url or "", "t", 0.5))
    await nlu.start()  # the embedded engine loads; Rasa is not there
    context.nlu = nlu
    try:
        stopped = await readyz(context_routes(context, telegram=lambda: False))
        assert stopped.status_code == 503
        checks = stopped.json()["checks"]
        assert checks["rasa"]["status"] == "degraded"
        assert checks["nlu"]["status"] == "ok"
        assert checks["telegram"]["status"] == "down"  # polling stopped: that one is down
        polling = await readyz(context_routes(context, telegram=lambda: True))
        assert polling.status_code == 200  # the embedded engine answers: ready, degraded
        assert polling.json()["status"] == "degraded"
    finally:
        await context.aclose()


async def readyz(routes: list[BaseRoute]) -> httpx.Response:
    transport = httpx.ASGITransport(app=Starlette(routes=routes))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get("/readyz")


def test_metrics_are_off_without_a_token_and_closed_without_the_right_one(
    tmp_path: object,
) -> None:
    url = f"sqlite:///{tmp_path}/m.db"
    engine = make_engine(url)
    checks = Readiness({"telegram": receiving_probe(None)})
    off = TestClient(Starlette(routes=ops_routes(checks, make_session_factory(engine), now, None)))
    assert off.get("/metrics").status_code == 404
    assert off.get("/healthz").json() == {"status": "ok"}
    on = client_for(checks, url)
    assert on.get("/metrics").status_code == 401
    assert on.get("/metrics").headers["www-authenticate"] == "Bearer"
    assert on.get("/metrics", headers={"Authorization": TOKEN}).status_code == 401
    assert on.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"}).status_code == 401
    assert on.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert on.get("/readyz").json()["checks"]["telegram"]["status"] == "off"
