"""Marking delivered outbox rows ``sent`` on a connection kept open for it: no pool checkout,
no ping, one round trip less between a delivery and its record (PostgreSQL: no fsync wait
per commit). The group commit itself is ``scheduler.dispatch.marks``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from store.db import SessionFactory
from store.errors import Unavailable
from store.outbox import OutboxMessage

# Work to do in the marking transaction, given the ids marked (``None``: nothing to do).
AfterMark = Callable[[set[int]], Callable[[Session], None] | None]


class KeptConnection:
    """The connection one dispatcher marks rows with (used under its flush lock only)."""

    def __init__(self, sessions: SessionFactory) -> None:
        self.sessions = sessions
        self._connection: Connection | None = None

    @property
    def opened(self) -> bool:
        """Is a connection held (to be given back when the dispatcher is idle)?"""
        return self._connection is not None

    def close(self) -> None:
        """Give the connection back (reopened with the next batch)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def _marker(self) -> Connection:
        if self._connection is None or self._connection.closed:
            engine = self.sessions.kw["bind"]
            connection = engine.connect()
            if connection.dialect.name == "postgresql":
                # No fsync wait per mark: should the *database server* crash right after, a few
                # rows would be sent again (at-least-once); a dispatcher crash loses nothing.
                connection.execute(text("SET synchronous_commit TO OFF"))
                connection.commit()
            self._connection = connection
        return self._connection

    def mark_sent(self, ids: list[int], worker: str, now: datetime, after: AfterMark) -> set[int]:
        """Mark these rows sent in one transaction, only those ``worker`` still holds; returns
        their ids. ``after(marked)`` may return work for the same transaction, run in a session
        on this connection (the check-in's hook). A broken connection is dropped and
        :class:`Unavailable` raised (the caller tries once more, afresh)."""
        try:
            connection = self._marker()
            with connection.begin():
                marked = set(
                    connection.scalars(
                        update(OutboxMessage)
                        .where(
                            OutboxMessage.id.in_(ids),
                            OutboxMessage.status == "claimed",
                            OutboxMessage.claimed_by == worker,
                        )
                        .values(status="sent", sent_at=now, last_error=None)
                        .returning(OutboxMessage.id)
                    )
                )
                work = after(marked)
                if work is not None:
                    with Session(bind=connection) as session:
                        work(session)
                        session.flush()
        except DBAPIError as exc:  # the kept connection broke (database restart)
            if self._connection is not None:
                self._connection.invalidate()
                self._connection = None
            raise Unavailable(str(exc)) from exc
        return marked
