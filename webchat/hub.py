"""The ``web`` channel: turns of visitors, the transcript, and live delivery to open panels.

:class:`WebChat` implements the channel port (``core.ports.Channel``): the dispatcher sends
a counsellor's answer or a reminder with :meth:`WebChat.send`, which keeps it in the
transcript (``store/repo_webchat.py``) and pushes it to every open panel of that visitor
(WebSocket or long poll). A closed page finds it at the next visit, with the unread badge.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from core.clock import Clock, utcnow
from core.locks import KeyedLocks
from core.messages import Incoming, Kind, Reply
from core.ports import Handler, Renders
from store import repo_webchat
from store.db import SessionFactory
from store.webchat_feed import Feed
from webchat.render import web_reply

log = logging.getLogger(__name__)

CHANNEL = "web"
Item = dict[str, Any]
RECENT_IDS = 64  # client message ids remembered per visitor: a retried send runs once
QUEUE_LIMIT = 200  # items waiting for one panel before it is asked to reconnect
LOCALES = 20_000  # visitors whose language is remembered (read again after each turn)


class WebChat:
    """The web chat channel and its live subscribers."""

    name = CHANNEL
    renders = frozenset({Renders.BUTTONS, Renders.VENUE, Renders.DOCUMENT})

    def __init__(
        self,
        sessions: SessionFactory,
        handler: Handler,
        *,
        clock: Clock = utcnow,
        feed: Feed | None = None,
    ) -> None:
        self.sessions = sessions
        self.feed = feed  # PostgreSQL: items kept by another replica reach panels open here
        self.handler = handler
        self.clock = clock
        self._subscribers: dict[str, set[asyncio.Queue[Item | None]]] = defaultdict(set)
        self._locks: KeyedLocks[str] = KeyedLocks()
        self._recent: OrderedDict[tuple[str, str], list[Item]] = OrderedDict()
        self._listening: asyncio.Task[None] | None = None
        # The person's language, read in the turn's own transcript session: a message costs
        # one trip to a worker thread, not three (the language before and after the turn).
        self._locales: OrderedDict[str, str | None] = OrderedDict()
        self._locales_mutex = threading.Lock()  # written from worker threads

    # ------------------------------------------------------------------ the channel port
    async def start(self) -> None:
        """Panels connect to the HTTP server; on PostgreSQL, listen to the other replicas."""
        if self.feed is not None and self._listening is None:
            self._listening = asyncio.create_task(self.feed.listen(self._remote, self._gap))

    async def stop(self) -> None:
        """Tell open panels to reconnect later (the server is going away)."""
        if self._listening is not None:
            self._listening.cancel()
            await asyncio.gather(self._listening, return_exceptions=True)
            self._listening = None
        self._gap()

    async def _remote(self, visitor: str, ids: list[int]) -> None:
        """Another replica kept ``ids`` for ``visitor``: show them in the panels open here."""
        if visitor not in self._subscribers:
            return  # no panel of that visitor on this replica: nothing to read
        try:
            async with self._locks.hold(visitor):
                items = await asyncio.to_thread(self._rows, visitor, ids)
        except Exception:
            log.exception("web chat: reading another replica's items failed")
            return
        self._publish(visitor, items)

    def _rows(self, visitor: str, ids: list[int]) -> list[Item]:
        with self.sessions() as session:
            rows = repo_webchat.rows(session, visitor, ids)
        return [{"id": row_id, "role": role, **payload} for row_id, role, payload in rows]

    def _gap(self) -> None:
        """Live items may have been missed: every open panel reconnects and re-reads."""
        for queues in list(self._subscribers.values()):
            for queue in list(queues):
                queue.put_nowait(None)

    async def send(self, user_ref: str, replies: Sequence[Reply]) -> None:
        """Keep the replies in the visitor's transcript and show them in open panels."""
        async with self._locks.hold(user_ref):
            items = await asyncio.to_thread(
                self._keep, user_ref, [("bot", web_reply(r)) for r in replies]
            )
        self._publish(user_ref, items)

    # ------------------------------------------------------------------ turns
    async def turn(
        self,
        visitor: str,
        *,
        text: str = "",
        payload: str = "",
        label: str = "",
        start: bool = False,
        language: str | None = None,
        client_id: str = "",
    ) -> list[Item]:
        """One thing the visitor sent → the items shown (their message, then the replies)."""
        async with self._locks.hold(visitor):
            key = (visitor, client_id)
            if client_id and key in self._recent:
                return self._recent[key]  # a retried request: same answer, no second turn
            incoming = self._incoming(visitor, text, payload, start, language)
            replies = await self.handler.handle(incoming)
            mine: list[tuple[str, Item]] = []
            if not start:
                mine.append(("visitor", {"text": label[:80] if payload else text}))
            shown = [*mine, *(("bot", web_reply(r)) for r in replies)]
            items = await asyncio.to_thread(self._keep, visitor, shown)
            if client_id:
                self._recent[key] = items
                while len(self._recent) > RECENT_IDS * 64:
                    self._recent.popitem(last=False)
        self._publish(visitor, items)
        return items

    def _incoming(
        self, visitor: str, text: str, payload: str, start: bool, language: str | None
    ) -> Incoming:
        now = datetime.now(UTC)
        if start:
            return Incoming(
                CHANNEL, visitor, Kind.COMMAND, text="/start", timestamp=now, language_code=language
            )
        if payload:
            return Incoming(
                CHANNEL,
                visitor,
                Kind.BUTTON,
                payload=payload,
                timestamp=now,
                language_code=language,
            )
        kind = Kind.COMMAND if text.startswith("/") else Kind.TEXT
        return Incoming(CHANNEL, visitor, kind, text=text, timestamp=now, language_code=language)

    def _keep(self, visitor: str, items: list[tuple[str, Item]]) -> list[Item]:
        with self.sessions() as session:
            rows = repo_webchat.append(session, visitor, items, self.clock())
            if self.feed is not None:
                self.feed.announce(session, visitor, [row[0] for row in rows])
            locale = repo_webchat.locale(session, visitor)  # a /langue turn changed it
            session.commit()
        self._remember(visitor, locale)
        if not rows:  # no account yet or any more: shown once, not kept
            return [{"id": None, "role": role, **payload} for role, payload in items]
        return [{"id": row_id, "role": role, **payload} for row_id, role, payload in rows]

    # ------------------------------------------------------------------ panels
    async def snapshot(self, visitor: str, *, after: int = 0) -> dict[str, Any]:
        """What a panel shows when it opens: the transcript, the unread count, the language."""
        return await asyncio.to_thread(self._snapshot, visitor, after)

    def _snapshot(self, visitor: str, after: int) -> dict[str, Any]:
        with self.sessions() as session:
            rows = repo_webchat.history(session, visitor, after=after)
            unread = repo_webchat.unread(session, visitor)
            locale = repo_webchat.locale(session, visitor)
            session.commit()
        self._remember(visitor, locale)
        items = [{"id": row_id, "role": role, **payload} for row_id, role, payload in rows]
        return {"items": items, "unread": unread, "locale": locale}

    async def mark_seen(self, visitor: str, message_id: int) -> None:
        """The panel showed everything up to ``message_id``."""
        await asyncio.to_thread(self._mark_seen, visitor, message_id)

    def _mark_seen(self, visitor: str, message_id: int) -> None:
        with self.sessions() as session:
            repo_webchat.mark_seen(session, visitor, message_id, self.clock())
            session.commit()

    async def locale(self, visitor: str) -> str | None:
        """The person's chosen language (``dir="rtl"`` for Arabic), as read at this visitor's
        last turn or panel opening on this replica."""
        with self._locales_mutex:
            if visitor in self._locales:
                self._locales.move_to_end(visitor)
                return self._locales[visitor]
        return await asyncio.to_thread(self._locale, visitor)

    def _locale(self, visitor: str) -> str | None:
        with self.sessions() as session:
            locale = repo_webchat.locale(session, visitor)
        self._remember(visitor, locale)
        return locale

    def _remember(self, visitor: str, locale: str | None) -> None:
        with self._locales_mutex:
            self._locales[visitor] = locale
            self._locales.move_to_end(visitor)
            while len(self._locales) > LOCALES:
                self._locales.popitem(last=False)

    def subscribe(self, visitor: str) -> asyncio.Queue[Item | None]:
        """A queue of the items shown to ``visitor`` from now on (``None``: server stops)."""
        queue: asyncio.Queue[Item | None] = asyncio.Queue()
        self._subscribers[visitor].add(queue)
        return queue

    def unsubscribe(self, visitor: str, queue: asyncio.Queue[Item | None]) -> None:
        """The panel closed."""
        queues = self._subscribers.get(visitor)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self._subscribers[visitor]

    @property
    def open_panels(self) -> int:
        """How many panels are connected now (the bench reads it)."""
        return sum(len(q) for q in self._subscribers.values())

    def _publish(self, visitor: str, items: list[Item]) -> None:
        for queue in list(self._subscribers.get(visitor, ())):
            if queue.qsize() + len(items) > QUEUE_LIMIT:
                # a stuck panel: drop its backlog, tell it to reload the transcript
                log.warning("web chat panel too slow: asked to reconnect")
                self.unsubscribe(visitor, queue)
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(None)
                continue
            for item in items:
                queue.put_nowait(item)
