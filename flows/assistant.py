"""The assistant: one channel-neutral entry point, ``handle(incoming) -> replies``.

Order of a turn (guards first): drop re-delivered updates, load the person and their
conversation, throttle floods, consent, edits and media, commands, hand-off silence,
buttons, the active flow, then the NLU intent. Every turn is one database transaction:
if a step fails, nothing it changed is kept and the person gets an apology.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import Engine, bindparam, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, joinedload

from core.clock import utcnow
from core.i18n import gettext_for, resolve_locale
from core.settings import Settings
from flows import router
from flows.messages import Incoming, Kind, Reply
from flows.services import Event, Services
from flows.turn import Turn
from store.db import SessionFactory
from store.models import ChannelAccount, Conversation, MessageLog, Person, ProcessedUpdate

log = logging.getLogger(__name__)

Parser = Callable[[str], Awaitable[dict[str, Any]]]

# Hot-path statements, built once (Core, not the ORM unit of work: a turn is ~1 ms).
_INSERT_LOG = insert(MessageLog.__table__)  # type: ignore[arg-type]
_CLAIM_UPDATE = {
    postgres: (pg_insert if postgres else sqlite_insert)(ProcessedUpdate.__table__)  # type: ignore[arg-type]
    .values(
        channel=bindparam("channel"), update_id=bindparam("update_id"), processed_at=bindparam("at")
    )
    .on_conflict_do_nothing(index_elements=["channel", "update_id"])
    for postgres in (False, True)
}
MAX_NLU_CHARS = 1000  # longer texts are truncated for NLU (Telegram allows 4096)


def apology(locale: str) -> Reply:
    """What a person sees when something broke on our side: never a traceback."""
    _ = gettext_for(locale).gettext
    return Reply(
        text=_(
            "Désolé, un problème technique m'empêche de répondre pour le moment. "
            "Votre message n'est pas perdu : réessayez dans un instant."
        )
    )


class Assistant:
    """Turns an :class:`Incoming` into replies, persisting state and the message log."""

    def __init__(
        self,
        sessions: SessionFactory,
        services: Services,
        settings: Settings,
        parse: Parser,
    ) -> None:
        self.sessions = sessions
        self.services = services
        self.settings = settings
        self.parse = parse
        self._locks: dict[tuple[str, str], asyncio.Lock] = defaultdict(asyncio.Lock)
        self._recent: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._closers: list[Callable[[], Awaitable[None]]] = []
        self.engine: Engine | None = None  # set by the composition root (benchmarks, CLI)

    def on_close(self, closer: Callable[[], Awaitable[None]]) -> None:
        """Register a resource to release in :meth:`aclose` (HTTP clients, engines)."""
        self._closers.append(closer)

    async def aclose(self) -> None:
        """Release what the assistant owns."""
        for closer in reversed(self._closers):
            await closer()

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Answer one message. Messages of one person are handled one at a time, in order."""
        key = (incoming.channel, incoming.user_ref)
        async with self._locks[key]:
            try:
                parse = await self._understand(incoming)
                replies, events = self._turn(incoming, parse)
            except Exception:
                log.exception("turn failed for %s:%s", incoming.channel, incoming.user_ref)
                return [apology(resolve_locale(None, incoming.language_code))]
        for event in events:
            for listener in self.services.listeners:
                try:
                    await listener(event)
                except Exception:
                    log.exception("listener failed on %s", event.name)
        return replies

    async def _understand(self, incoming: Incoming) -> dict[str, Any] | None:
        if incoming.kind is not Kind.TEXT or not incoming.text.strip():
            return None
        return await self.parse(incoming.text[:MAX_NLU_CHARS])

    def _throttled(self, incoming: Incoming) -> int:
        """How many messages this person sent in the window (this one included)."""
        now = time.monotonic()
        window = self._recent[(incoming.channel, incoming.user_ref)]
        window.append(now)
        while window and now - window[0] > self.settings.throttle_window_s:
            window.popleft()
        return len(window)

    def _turn(
        self, incoming: Incoming, parse: dict[str, Any] | None
    ) -> tuple[list[Reply], list[Event]]:
        with self.sessions() as session:
            try:
                result = self._run(session, incoming, parse)
                if result is None:  # already processed
                    session.rollback()
                    return [], []
                session.commit()
                return result
            except IntegrityError:
                session.rollback()
                if incoming.update_id is not None and self._seen(session, incoming):
                    return [], []  # a concurrent delivery of the same update won the race
                raise
            except SQLAlchemyError:
                session.rollback()
                raise

    def _seen(self, session: Session, incoming: Incoming) -> bool:
        key = (incoming.channel, incoming.update_id)
        return session.get(ProcessedUpdate, key) is not None

    def _claim_update(self, session: Session, incoming: Incoming) -> bool:
        """Record the update id in one statement; False when it was already processed."""
        connection = session.connection()
        statement = _CLAIM_UPDATE[connection.dialect.name == "postgresql"]
        params = {"channel": incoming.channel, "update_id": incoming.update_id, "at": utcnow()}
        return bool(getattr(connection.execute(statement, params), "rowcount", 0))

    def _run(
        self, session: Session, incoming: Incoming, parse: dict[str, Any] | None
    ) -> tuple[list[Reply], list[Event]] | None:
        if incoming.update_id is not None and not self._claim_update(session, incoming):
            return None
        person, conversation = self._load(session, incoming)
        now = self.services.clock()
        locale = resolve_locale(person.locale, incoming.language_code)
        turn = Turn(
            session=session,
            person=person,
            conversation=conversation,
            incoming=incoming,
            now=now,
            locale=locale,
            settings=self.settings,
            services=self.services,
            translations=gettext_for(locale),
            parse=parse,
        )
        count = self._throttled(incoming)
        held = conversation.handoff in ("waiting", "human")  # relays are never throttled
        if count > self.settings.throttle_messages and not held:
            replies = router.throttle(turn, first=count == self.settings.throttle_messages + 1)
        else:
            replies = router.route(turn)
        self._log(turn, replies)
        events = [Event(name, person.id, data) for name, data in turn.emitted]
        return replies, events

    def _load(self, session: Session, incoming: Incoming) -> tuple[Person, Conversation]:
        account = session.scalars(
            select(ChannelAccount)
            .where(
                ChannelAccount.channel == incoming.channel,
                ChannelAccount.external_ref == incoming.user_ref,
            )
            .options(joinedload(ChannelAccount.person).joinedload(Person.conversation))
        ).one_or_none()
        if account is None:
            person = Person()
            account = ChannelAccount(
                person=person,
                channel=incoming.channel,
                external_ref=incoming.user_ref,
                language_code=incoming.language_code,
            )
            session.add_all([person, account])
            conversation = Conversation(person=person, data={})
            session.add(conversation)
            session.flush()
            return person, conversation
        if incoming.language_code and account.language_code != incoming.language_code:
            account.language_code = incoming.language_code
        if account.unreachable_at is not None:
            account.unreachable_at = None  # they wrote to us: reachable again
        person = account.person
        if person.conversation is None:
            person.conversation = Conversation(person=person, data={})
        return person, person.conversation

    def _log(self, turn: Turn, replies: list[Reply]) -> None:
        """Keep the transcript, only for people who consented (and still exist)."""
        person = turn.person
        if person.consent != "given" or turn.erased:
            return
        incoming = turn.incoming
        common = {"person_id": person.id, "created_at": turn.now, "channel": incoming.channel}
        rows: list[dict[str, Any]] = [
            {
                **common,
                "direction": "in",
                "author": "person",
                "kind": incoming.kind.value,
                "text": incoming.text[:4096] if incoming.kind is not Kind.BUTTON else "",
                "payload": incoming.payload[:64] or None,
                "intent": turn.intent,
                "confidence": turn.confidence if turn.parse else None,
            }
        ]
        for reply in replies:
            text = reply.text or (reply.document.filename if reply.document else "")
            if reply.venue:
                text = text or reply.venue.title
            rows.append(
                {
                    **common,
                    "direction": "out",
                    "author": "bot",
                    "kind": "text",
                    "text": text,
                    "payload": None,
                    "intent": None,
                    "confidence": None,
                }
            )
        turn.session.connection().execute(_INSERT_LOG, rows)
