"""``channel_pauses`` on SQLite and PostgreSQL: one row per channel, the later end wins."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from store import channel_pauses
from store.db import make_engine, make_session_factory
from store.migrate import upgrade
from tests.pg import temporary_database

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/p.db"
    else:
        with temporary_database() as pg_url:
            yield pg_url


def test_a_pause_is_shared_and_the_later_end_wins(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    for minutes in (60, 5, 120):
        with sessions() as session, session.begin():
            channel_pauses.pause(session, "sms", NOW + timedelta(minutes=minutes), "402", NOW)
    with sessions() as session, session.begin():
        assert channel_pauses.active(session, NOW) == {"sms": NOW + timedelta(hours=2)}
        assert channel_pauses.active(session, NOW + timedelta(hours=3)) == {}
        channel_pauses.resume(session, "sms")
    with sessions() as session:
        assert channel_pauses.active(session, NOW) == {}
    engine.dispose()
