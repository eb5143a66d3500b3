"""Live web chat items across replicas: PostgreSQL ``LISTEN``/``NOTIFY``.

The replica that keeps items in a visitor's transcript announces them in the same transaction
(``pg_notify`` is delivered at commit, so only kept rows are announced) on the channel
``webchat``, with its own origin id, the visitor and the row ids. Every replica listens on a
dedicated connection and pushes those rows to the panels it has open for that visitor.

If the listening connection drops, the replica reconnects and calls ``on_gap``: the web chat
asks its open panels to reconnect, and they read what they missed from the transcript (the
long poll and the reconnect are the fallback). On SQLite there is one process: no feed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import psycopg
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

CHANNEL = "webchat"
RETRY_SECONDS = 1.0
OnNotice = Callable[[str, list[int]], Awaitable[None]]


class Feed:
    """This replica's side of the ``webchat`` notification channel."""

    def __init__(self, engine: Engine) -> None:
        self.origin = secrets.token_hex(8)  # tells this replica's own notices apart
        self._conninfo = engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        self.connected = asyncio.Event()

    def announce(self, session: Session, visitor: str, ids: Sequence[int]) -> None:
        """Tell the other replicas, at commit, that ``ids`` were kept for ``visitor``."""
        if not ids:
            return
        payload = json.dumps({"o": self.origin, "v": visitor, "ids": list(ids)})
        session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {
                "channel": CHANNEL,
                "payload": payload,
            },
        )

    def _parse(self, payload: str) -> tuple[str, list[int]] | None:
        try:
            data: Any = json.loads(payload)
            if data["o"] == self.origin:
                return None  # already pushed by this replica
            ids = [int(i) for i in data["ids"]]
            return str(data["v"]), ids
        except (ValueError, KeyError, TypeError):
            log.warning("web chat notice not understood: ignored")
            return None

    async def listen(self, on_notice: OnNotice, on_gap: Callable[[], None]) -> None:
        """Deliver the other replicas' notices until cancelled, reconnecting after a drop."""
        first = True
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True
                ) as connection:
                    await connection.execute(f"LISTEN {CHANNEL}")
                    self.connected.set()
                    if not first:
                        on_gap()  # notices sent while we were away are lost: panels re-read
                    first = False
                    async for notice in connection.notifies():
                        parsed = self._parse(notice.payload)
                        if parsed is not None:
                            await on_notice(*parsed)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the URL holds a password: never log the exception text
                log.warning(
                    "web chat: listening to the other replicas failed (%s), retrying",
                    type(exc).__name__,
                )
            self.connected.clear()
            first = False
            await asyncio.sleep(RETRY_SECONDS)


def feed_for(engine: Engine) -> Feed | None:
    """A feed on PostgreSQL (several replicas may serve panels); none on SQLite."""
    return Feed(engine) if engine.dialect.name == "postgresql" else None
