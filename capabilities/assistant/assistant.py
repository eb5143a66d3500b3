"""The assistant: one channel-neutral entry point, ``handle(incoming) -> replies``.

Order of a turn (guards first): drop re-delivered updates, load the person and their
conversation, throttle floods, consent, edits and media, commands, hand-off silence,
buttons, the active flow, then the NLU intent. Every turn runs inside one database
transaction: if a step fails, nothing it changed is kept and the person gets an apology.

Turns of different people that are ready at the same moment share that transaction (group
commit, :mod:`.grouping`): one claim of their update ids, one load, one log insert,
one COMMIT. If anything in a group fails, the group is rolled back and its turns are run
again one by one, so only the failing turn gets the apology and nothing is lost or doubled.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from capabilities.assistant import router
from capabilities.assistant.grouping import TurnGroups
from capabilities.assistant.observe import observe, who
from capabilities.conversation.services import Services
from capabilities.conversation.turn import Turn
from core.clock import utcnow
from core.events import Event
from core.i18n import gettext_for, resolve_locale
from core.locks import KeyedLocks
from core.messages import Incoming, Kind, Reply
from core.ports import Parser
from core.safe_input import clean_incoming
from core.settings import Settings
from store import held_replies, repo_conversation
from store.db import Session, SessionFactory
from store.errors import Conflict, Unavailable, database_errors
from store.models import ChannelAccount, Conversation, Person, ProcessedUpdate
from store.outbox import enqueue

log = logging.getLogger(__name__)

REDELIVERY_WINDOW = timedelta(hours=24)  # an answer older than this would only confuse
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


def reply_key(incoming: Incoming) -> str:
    """The outbox key of a turn's replies that the channel refused (one row per update)."""
    reference = incoming.update_id if incoming.update_id is not None else id(incoming)
    return f"reply:{incoming.channel}:{incoming.user_ref}:{reference}"[:120]


Outcome = tuple[list[Reply], list[Event]]
_NOTHING: Outcome = ([], [])


@dataclass(slots=True)
class _Job:
    """A turn waiting for its transaction: the message, its parse, its flood count."""

    incoming: Incoming
    parse: dict[str, Any] | None
    count: int  # messages from this person in the throttle window, this one included


class Assistant:
    """Turns an :class:`Incoming` into replies, persisting state and the message log."""

    def __init__(
        self,
        sessions: SessionFactory,
        services: Services,
        settings: Settings,
        parse: Parser,
        *,
        kick: Callable[[], None] | None = None,
        holds: frozenset[str] = frozenset(),
    ) -> None:
        self.sessions = sessions
        self.services = services
        self.settings = settings
        self.parse = parse
        # Per person, only while they have a turn in flight / messages in the flood window:
        # a bot that met 90,000 people must not keep 90,000 locks and windows forever.
        self._locks: KeyedLocks[tuple[str, str]] = KeyedLocks()
        self._recent: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._throttle_calls = 0
        self.kick = kick  # wakes the outbox dispatcher: an undelivered reply goes out at once
        # Channels whose updates come from an inbox that may hand one update to a second
        # replica after a crash: their replies are held until the update is done
        # (:mod:`store.held_replies`), so the second replica can send them.
        self.holds = holds
        # PostgreSQL waits on the network: its groups run in a thread so the loop goes on.
        offload = repo_conversation.offloads(sessions)
        self.groups: TurnGroups[_Job, Outcome] = TurnGroups(self._run_group, offload=offload)

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Answer one message. Messages of one person are handled one at a time, in order."""
        replies, events = await self.answer(incoming)
        await self.announce(events)
        return replies

    async def answer(self, incoming: Incoming) -> tuple[list[Reply], list[Event]]:
        """The turn alone: replies and the events to announce (listeners not run yet)."""
        incoming = clean_incoming(incoming)  # lone surrogates, NUL: storable and printable
        key = (incoming.channel, incoming.user_ref)
        started = time.perf_counter()
        parse: dict[str, Any] | None = None
        failed = False
        try:
            async with self._locks.hold(key):
                try:
                    parse = await self._understand(incoming)
                    job = _Job(incoming, parse, self._throttled(incoming))
                    return await self.groups.submit(job)
                except Exception:
                    failed = True
                    log.exception("turn failed for %s", who(self.settings, incoming))
                    return [apology(resolve_locale(None, incoming.language_code))], []
        finally:
            observe(self.settings, incoming, parse, time.perf_counter() - started, failed)

    async def announce(self, events: Sequence[Event]) -> None:
        """Run the listeners (network I/O: staff group…) for events of a committed turn."""
        for event in events:
            for listener in self.services.listeners:
                try:
                    await listener(event)
                except Exception:
                    log.exception("listener failed on %s", event.name)

    async def undelivered(self, incoming: Incoming, replies: Sequence[Reply]) -> None:
        """Replies the channel refused after its retries: the outbox sends them later, once.

        The key is the update id, so a re-delivered update cannot queue them twice; they are
        conversational (no quiet hours, not held by /stop) and expire after a day.
        """
        now = self.services.clock()
        reference = incoming.update_id if incoming.update_id is not None else id(incoming)
        key = reply_key(incoming)
        with self.sessions() as session:
            person_id = repo_conversation.person_id_of(session, incoming.channel, incoming.user_ref)
            if person_id is None:  # refused or erased: nothing of theirs is kept
                log.info("undelivered replies to an unknown person dropped (%s)", reference)
                return
            queued = enqueue(
                session,
                key=key,
                person_id=person_id,
                rule="reply",
                replies=replies,
                not_before=now,
                expires_at=now + REDELIVERY_WINDOW,
                ignore_quiet_hours=True,
            )
            session.commit()
        log.info(
            "%d undelivered replies queued for later (%s, update %s, new=%s)",
            len(replies),
            who(self.settings, incoming),
            reference,
            queued,
        )
        if self.kick is not None:
            self.kick()

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
        self._throttle_calls += 1
        if self._throttle_calls % 4096 == 0:  # forget people whose window is over
            limit = self.settings.throttle_window_s
            for key in [k for k, w in self._recent.items() if now - w[-1] > limit]:
                del self._recent[key]
        return len(window)

    def _run_group(self, jobs: Sequence[_Job]) -> list[Outcome | BaseException]:
        """Run turns in one transaction; if it fails, again one by one (each alone)."""
        if len(jobs) > 1:
            try:
                return list(self._transaction(jobs))
            except Exception:
                log.warning("a group of %d turns failed: running them one by one", len(jobs))
        outcomes: list[Outcome | BaseException] = []
        for job in jobs:
            try:
                outcomes.append(self._transaction([job])[0])
            except Exception as exc:
                outcomes.append(exc)
        return outcomes

    def _transaction(self, jobs: Sequence[_Job]) -> list[Outcome]:
        with self.sessions() as session:
            try:
                with database_errors():
                    outcomes = self._run(session, jobs)
                    session.commit()
                return outcomes
            except Conflict:
                session.rollback()
                if len(jobs) == 1 and self._seen(session, jobs[0].incoming):
                    return [_NOTHING]  # a concurrent delivery of the same update won the race
                raise
            except Unavailable:
                session.rollback()
                raise

    def _seen(self, session: Session, incoming: Incoming) -> bool:
        if incoming.update_id is None:
            return False
        key = (incoming.channel, incoming.update_id)
        return session.get(ProcessedUpdate, key) is not None

    def _holds(self, incoming: Incoming, replies: list[Reply]) -> bool:
        """Are this turn's replies kept until its update is done (webhook mode)?"""
        return bool(replies) and incoming.update_id is not None and incoming.channel in self.holds

    def _still_held(self, session: Session, incoming: Incoming) -> Outcome:
        """An update already processed: its replies again if a replica died before sending
        them (held, not handed to the outbox), otherwise nothing."""
        if incoming.update_id is None or incoming.channel not in self.holds:
            return _NOTHING
        replies = held_replies.still_held(
            session, incoming.channel, incoming.update_id, reply_key(incoming)
        )
        if replies:
            log.info("update %s: sending the replies of a replica that stopped", incoming.update_id)
        return (replies, [])

    def _claim(self, session: Session, jobs: Sequence[_Job]) -> list[bool]:
        """Record the update ids in one statement; False for those already processed."""
        keys = [(j.incoming.channel, j.incoming.update_id) for j in jobs]
        wanted = {(c, u) for c, u in keys if u is not None}
        claimed: set[tuple[str, int | None]] = set()
        if wanted:
            claimed = set(repo_conversation.claim_updates(session, wanted, utcnow()))
        result = []
        for key in keys:
            result.append(key[1] is None or key in claimed)
            claimed.discard(key)  # the same update twice in a group: only the first runs
        return result

    def _run(self, session: Session, jobs: Sequence[_Job]) -> list[Outcome]:
        claims = self._claim(session, jobs)
        live = [job for job, claimed in zip(jobs, claims, strict=True) if claimed]
        loaded = self._load(session, [job.incoming for job in live])
        now = self.services.clock()
        outcomes: list[Outcome] = []
        log_rows: list[dict[str, Any]] = []
        for job, claimed in zip(jobs, claims, strict=True):
            if not claimed:
                outcomes.append(self._still_held(session, job.incoming))
                continue
            incoming = job.incoming
            person, conversation = loaded[(incoming.channel, incoming.user_ref)]
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
                parse=job.parse,
            )
            held = conversation.handoff in ("waiting", "human")  # relays are never throttled
            limit = self.settings.throttle_messages
            if job.count > limit and not held:
                replies = router.throttle(turn, first=job.count == limit + 1)
            else:
                replies = router.route(turn)
            if self._holds(incoming, replies) and not turn.erased:
                assert incoming.update_id is not None
                held_replies.hold(
                    session, incoming.channel, incoming.update_id, person.id, replies, now
                )
            log_rows += self._log_rows(turn, replies)
            outcomes.append((replies, [Event(n, person.id, d) for n, d in turn.emitted]))
        if log_rows:
            repo_conversation.insert_log(session, log_rows)
        return outcomes

    def _load(
        self, session: Session, incomings: Sequence[Incoming]
    ) -> dict[tuple[str, str], tuple[Person, Conversation]]:
        """Everyone in the group with their conversation, in one query; newcomers created."""
        refs = {(incoming.channel, incoming.user_ref) for incoming in incomings}
        if not refs:
            return {}
        accounts = repo_conversation.accounts_with_conversations(session, refs)
        found = {(account.channel, account.external_ref): account for account in accounts}
        loaded: dict[tuple[str, str], tuple[Person, Conversation]] = {}
        created = False
        for incoming in incomings:
            ref = (incoming.channel, incoming.user_ref)
            account = found.get(ref)
            if account is None:
                person = Person()
                account = ChannelAccount(
                    person=person,
                    channel=incoming.channel,
                    external_ref=incoming.user_ref,
                    language_code=incoming.language_code,
                )
                conversation = Conversation(person=person, data={})
                session.add_all([person, account, conversation])
                found[ref] = account
                loaded[ref] = (person, conversation)
                created = True
                continue
            if incoming.language_code and account.language_code != incoming.language_code:
                account.language_code = incoming.language_code
            if account.unreachable_at is not None:
                account.unreachable_at = None  # they wrote to us: reachable again
            person = account.person
            existing = person.conversation
            if existing is None:  # enrolled without a chat (SMS): their first message
                existing = Conversation(person=person, data={}, misunderstood=0, handoff="bot")
                session.add(existing)
            loaded[ref] = (person, existing)
        if created:
            session.flush()
        return loaded

    @staticmethod
    def _log_rows(turn: Turn, replies: list[Reply]) -> list[dict[str, Any]]:
        """The transcript rows of a turn, only for people who consented (and still exist)."""
        person = turn.person
        if person.consent != "given" or turn.erased:
            return []
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
        return rows
