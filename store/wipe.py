"""Leave nothing readable of deleted rows in the database files.

SQLite: ``secure_delete`` (set on every connection, :mod:`store.db`) zeroes deleted
content in the pages, and after an erasure or a retention run ``wal_checkpoint(TRUNCATE)``
copies the write-ahead log back and empties it — until then the ``-wal`` file still holds
the old pages. PostgreSQL keeps deleted tuples until ``VACUUM`` (autovacuum, or the
retention command's ``VACUUM`` of the tables it purged): see ``docs/rgpd.md``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import Engine, text

from store.db import SessionFactory

log = logging.getLogger(__name__)


def engine_of(sessions: SessionFactory) -> Engine:
    """The engine the session factory is bound to."""
    bind = sessions.kw.get("bind")
    assert isinstance(bind, Engine)
    return bind


def checkpoint(engine: Engine) -> bool:
    """SQLite: empty the write-ahead log into the database; True when it was emptied."""
    if engine.dialect.name != "sqlite":
        return False
    with engine.connect() as connection:
        busy, _log, _done = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    if busy:
        log.warning("WAL checkpoint incomplete (a reader was busy): retried at the next one")
    return not busy


def vacuum(engine: Engine, tables: Iterable[str]) -> None:
    """PostgreSQL: ``VACUUM`` the tables rows were deleted from (dead tuples are freed)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in tables:
            connection.execute(text(f'VACUUM "{table}"'))
