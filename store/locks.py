"""Locks shared by the replicas of one PostgreSQL database (session advisory locks).

- :class:`LockSlot`: one connection that holds at most a few keys at a time, used by the
  Telegram inbox to process one person's updates on one replica at a time.
- :class:`LeaderLock`: the scheduler's leadership (planning round, daily jobs).

A session advisory lock belongs to its connection: when the replica holding it dies (even
``kill -9``), PostgreSQL ends the backend and the lock is free for another replica. On SQLite
there is one process (:mod:`store.single_process`), so the in-process bookkeeping is enough.
All calls are blocking (run them in a worker thread from the event loop).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
from collections.abc import Iterator

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)


def lock_key(namespace: str, key: int | str) -> int:
    """A signed 64-bit advisory lock key for ``(namespace, key)``."""
    digest = hashlib.blake2b(f"{namespace}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def is_postgres(engine: Engine) -> bool:
    """Advisory locks exist on PostgreSQL only."""
    return engine.dialect.name == "postgresql"


def _discard(connection: Connection) -> None:
    """Close a lock's own connection without returning it to the pool: PostgreSQL frees the
    advisory locks it still holds."""
    try:
        connection.invalidate()
        connection.close()
    except Exception:
        log.debug("closing a lock connection failed", exc_info=True)


class _LocalKeys:
    """The keys held in this process (SQLite: the whole truth; PostgreSQL: a cheap filter)."""

    def __init__(self) -> None:
        self._held: set[int] = set()
        self._mutex = threading.Lock()

    def take(self, key: int) -> bool:
        with self._mutex:
            if key in self._held:
                return False
            self._held.add(key)
            return True

    def give(self, key: int) -> None:
        with self._mutex:
            self._held.discard(key)


class LockSlot:
    """One dedicated connection taking and releasing advisory locks (PostgreSQL), or the
    process's own key set (SQLite). Not thread-safe: one slot per worker task."""

    def __init__(self, engine: Engine, namespace: str, local: _LocalKeys) -> None:
        self.engine = engine
        self.namespace = namespace
        self._local = local
        self._connection: Connection | None = None

    def _conn(self) -> Connection:
        if self._connection is None:
            self._connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self._connection

    def try_lock(self, key: int) -> bool:
        """Take ``key`` unless another slot (here or in another replica) holds it."""
        full = lock_key(self.namespace, key)
        if not self._local.take(full):
            return False
        if not is_postgres(self.engine):
            return True
        try:
            got = bool(self._conn().scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": full}))
        except Exception:
            self._local.give(full)
            self._drop()
            raise
        if not got:
            self._local.give(full)
        return got

    def unlock(self, key: int) -> None:
        """Release ``key`` (a broken connection released it already)."""
        full = lock_key(self.namespace, key)
        try:
            if is_postgres(self.engine) and self._connection is not None:
                self._connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": full})
        except Exception:
            log.warning("advisory unlock failed; dropping the connection (frees the lock)")
            self._drop()
        finally:
            self._local.give(full)

    def _drop(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            _discard(connection)

    def close(self) -> None:
        """Give the connection back (PostgreSQL frees what it still holds)."""
        self._drop()


class KeyLocks:
    """Makes :class:`LockSlot` objects sharing one namespace and one in-process key set."""

    def __init__(self, engine: Engine, namespace: str) -> None:
        self.engine = engine
        self.namespace = namespace
        self._local = _LocalKeys()

    def slot(self) -> LockSlot:
        """A new slot (its connection opens on first use)."""
        return LockSlot(self.engine, self.namespace, self._local)


class LeaderLock:
    """``holds()`` is True on exactly one replica at a time; when the leader dies, the next
    replica that asks becomes leader. On SQLite, always True (a single process)."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.key = lock_key("leader", name)
        self._connection: Connection | None = None
        self._mutex = threading.Lock()

    def holds(self) -> bool:
        """Keep or try to take the leadership; False when another replica has it."""
        if not is_postgres(self.engine):
            return True
        with self._mutex:
            try:
                if self._connection is not None:
                    self._connection.execute(text("SELECT 1"))  # still ours if still alive
                    return True
                connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
                got = bool(
                    connection.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key})
                )
                if got:
                    self._connection = connection
                    log.info("this replica now runs the scheduled jobs (leader)")
                else:
                    connection.close()
                return got
            except Exception:
                log.warning("leader lock check failed; not leading until it works again")
                self._release()
                return False

    def _release(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            _discard(connection)

    def close(self) -> None:
        """Step down (at shutdown): the connection goes, and the lock with it."""
        with self._mutex:
            self._release()


@contextlib.contextmanager
def exclusive(engine: Engine, name: str) -> Iterator[None]:
    """Run the block on one replica at a time (waits for the others; PostgreSQL only): the
    start-up steps that write shared rows, such as syncing the agenda from the files."""
    if not is_postgres(engine):
        yield
        return
    key = lock_key("exclusive", name)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
