"""SQLite is for one process: a second ``python -m bot`` on the same file is refused.

The serving process holds an exclusive ``flock`` on ``<database>.lock`` next to the SQLite
file for its whole life; the operating system frees it when the process ends, even after
``kill -9``. PostgreSQL needs no such guard (replicas coordinate with advisory locks).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import make_url

from core.settings import ConfigError

REFUSAL = (
    "Une autre instance du bot utilise déjà la base SQLite {path} (DATABASE_URL). "
    "SQLite ne permet qu'un seul processus. Arrêtez l'autre instance, ou, pour plusieurs "
    "instances, utilisez PostgreSQL : DATABASE_URL=postgresql://…"
)


def sqlite_file(url: str) -> Path | None:
    """The SQLite file of ``url``; None for PostgreSQL or an in-memory database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).resolve()


@contextlib.contextmanager
def single_process(url: str) -> Iterator[None]:
    """Hold the SQLite file's lock while serving; raise :class:`ConfigError` if taken."""
    path = sqlite_file(url)
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(REFUSAL.format(path=path)) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
