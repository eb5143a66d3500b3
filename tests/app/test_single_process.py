"""SQLite is single-process: a second ``python -m bot`` on the same file is refused with a
message that says what to do; the lock goes with its process, even after ``kill -9``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.settings import ConfigError
from store.single_process import single_process

ROOT = Path(__file__).resolve().parents[2]

HOLDER = """
import sys, time
from store.single_process import single_process
with single_process(sys.argv[1]):
    print("serving", flush=True)
    time.sleep(120)
"""


def environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def test_a_second_bot_on_the_same_sqlite_file_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    with single_process(url):
        started = time.monotonic()
        second = subprocess.run(
            [sys.executable, "-m", "bot"],
            cwd=ROOT,
            env=environment(DATABASE_URL=url, TELEGRAM_BOT_TOKEN="123:abc", CONSOLE_PORT="0"),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert second.returncode == 2
    assert "Une autre instance du bot utilise déjà la base SQLite" in second.stderr
    assert "PostgreSQL" in second.stderr
    assert "Traceback" not in second.stderr
    assert time.monotonic() - started < 60


def test_the_lock_is_freed_when_its_process_is_killed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, url],
        cwd=ROOT,
        env=environment(),
        stdout=subprocess.PIPE,
        text=True,
    ) as child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "serving"
            with pytest.raises(ConfigError, match="un seul processus"), single_process(url):
                pass
            child.send_signal(signal.SIGKILL)
            child.wait(10)
            with single_process(url):  # free again
                pass
        finally:
            child.kill()


def test_postgresql_and_memory_databases_are_not_locked() -> None:
    with (
        single_process("postgresql+psycopg://postgres@127.0.0.1/x"),
        single_process("postgresql+psycopg://postgres@127.0.0.1/x"),
    ):
        pass
    with single_process("sqlite://"), single_process("sqlite://"):
        pass
