"""The kept marking connection (``store.repo_outbox_marks``): a broken connection is dropped
and reported as ``store.errors.Unavailable``; the dispatcher's group commit tries once more."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from capabilities.programme.rules import default_rules
from core.messages import Reply
from scheduler.dispatch import Dispatcher
from store.db import SessionFactory
from store.errors import Unavailable
from store.outbox import enqueue
from store.repo_outbox_marks import KeptConnection
from tests.scheduler.helpers import FakeChannel, VirtualTime, add_person, database, outbox, paris

TUESDAY_10 = paris(2026, 12, 1, 10)


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[SessionFactory]:
    engine, factory = database(f"sqlite:///{tmp_path / 'm.db'}")
    yield factory
    engine.dispose()


def queue(sessions: SessionFactory, person_id: int, key: str) -> None:
    with sessions() as session:
        enqueue(
            session,
            key=key,
            person_id=person_id,
            rule="relay",
            replies=[Reply(text=key)],
            not_before=TUESDAY_10,
        )
        session.commit()


def break_connection(kept: KeptConnection) -> None:
    """Close the driver's connection under SQLAlchemy's feet (as a database restart would)."""
    connection = kept._connection
    assert connection is not None
    connection.connection.dbapi_connection.close()  # type: ignore[union-attr]


def test_a_broken_connection_is_dropped_and_reported_as_unavailable(
    sessions: SessionFactory,
) -> None:
    kept = KeptConnection(sessions)
    assert kept.mark_sent([1], "me", TUESDAY_10, lambda marked: None) == set()
    assert kept.opened
    break_connection(kept)
    with pytest.raises(Unavailable):
        kept.mark_sent([1], "me", TUESDAY_10, lambda marked: None)
    assert not kept.opened
    assert kept.mark_sent([1], "me", TUESDAY_10, lambda marked: None) == set()  # afresh
    kept.close()
    assert not kept.opened


async def test_the_dispatcher_marks_again_on_a_fresh_connection(
    sessions: SessionFactory, caplog: pytest.LogCaptureFixture
) -> None:
    vt = VirtualTime(TUESDAY_10)
    channel = FakeChannel()
    person = add_person(sessions, "1")
    dispatcher = Dispatcher(
        sessions,
        {"telegram": channel},
        default_rules(),
        clock=vt.wall,
        monotonic=vt.monotonic,
        sleep=vt.sleep,
        offload=False,
    )
    try:
        queue(sessions, person, "first")
        assert await dispatcher.drain_once() == 1
        break_connection(dispatcher.marks._kept)
        queue(sessions, person, "second")
        assert await dispatcher.drain_once() == 1
    finally:
        await dispatcher.close()
    assert {row.idempotency_key: row.status for row in outbox(sessions)} == {
        "first": "sent",
        "second": "sent",
    }
    assert channel.refs() == ["1", "1"]
    assert "marking connection lost, reconnecting" in caplog.text
