"""The weekly planning round and the daily jobs run on one replica at a time; when that
replica dies, another takes over at its next tick."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.jobs import Programme
from store.db import make_engine, make_session_factory
from store.locks import LeaderLock
from store.migrate import upgrade
from tests.pg import temporary_database

ROOT = Path(__file__).resolve().parents[2]

HOLDER = """
import sys, time
from store.db import make_engine
from store.locks import LeaderLock
lock = LeaderLock(make_engine(sys.argv[1]), "programme")
print("leader" if lock.holds() else "follower", flush=True)
time.sleep(120)
"""


@pytest.fixture
def pg_url() -> Iterator[str]:
    with temporary_database("leader") as url:
        yield url


def test_one_leader_at_a_time_and_the_next_takes_over_when_it_steps_down(pg_url: str) -> None:
    engine = make_engine(pg_url)
    a, b = LeaderLock(engine, "programme"), LeaderLock(engine, "programme")
    other = LeaderLock(engine, "another-job")
    try:
        assert a.holds() is True
        assert a.holds() is True  # keeps it
        assert b.holds() is False
        assert other.holds() is True  # another name, another lock
        a.close()
        assert b.holds() is True
        assert a.holds() is False
    finally:
        for lock in (a, b, other):
            lock.close()
        engine.dispose()


def test_a_leader_killed_with_sigkill_is_replaced(pg_url: str) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, pg_url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    engine = make_engine(pg_url)
    mine = LeaderLock(engine, "programme")
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "leader"
        assert mine.holds() is False
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        deadline = time.monotonic() + 10
        while not mine.holds():  # PostgreSQL ends the dead client's backend, lock included
            assert time.monotonic() < deadline, "the lock of a dead leader was never freed"
            time.sleep(0.1)
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
        mine.close()
        engine.dispose()


class Follower:
    def holds(self) -> bool:
        return False

    def close(self) -> None:
        pass


async def test_a_follower_runs_no_job(tmp_path: Path) -> None:
    from capabilities.programme.rules import default_rules

    engine = make_engine(f"sqlite:///{tmp_path / 'f.db'}")
    upgrade(engine)
    planned: list[int] = []
    programme = Programme(
        make_session_factory(engine), default_rules(), None, reports=tmp_path, leader=Follower()
    )
    programme.plan_now = lambda: planned.append(1)  # type: ignore[method-assign,assignment,return-value]
    await programme.tick()
    assert planned == []
    assert programme.daily_report() is None
    assert programme.retention() == 0
    assert not any(name.endswith(".csv") for name in os.listdir(tmp_path))
    engine.dispose()


def test_sqlite_is_always_its_own_leader(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'l.db'}")
    assert LeaderLock(engine, "programme").holds() is True
    engine.dispose()


def test_replicas_starting_together_install_one_after_the_other(pg_url: str) -> None:
    """Three contexts built at once on one database: the agenda sync from the files does not
    collide (it did: a unique violation on ``espaces`` in bench.replicas)."""
    import threading

    from app.build import build_context
    from core.settings import load_settings
    from tests.chat import FakeNlu

    engine = make_engine(pg_url)
    upgrade(engine)
    engine.dispose()
    settings = load_settings(database_url=pg_url, telegram_bot_token=None, rasa_url=None)
    errors: list[BaseException] = []
    contexts = []

    def build() -> None:
        try:
            contexts.append(build_context(settings, parse=FakeNlu().parse))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for context in contexts:
        context.database.engine.dispose()
    assert errors == []
    assert len(contexts) == 3
