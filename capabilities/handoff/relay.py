"""The staff Telegram group: one forum topic per person, relays both ways, topic commands.

Channel-neutral: the group is reached through the small :class:`StaffGroup` port
(``bot/telegram_staff.py`` implements it with PTB). :class:`StaffRelay` is both

- a listener of the assistant's events (``handoff`` → topic + summary card, ``relay`` →
  the person's message in the topic, ``handoff_back`` → a notice), and
- the handler of messages written in the staff group (``handle(incoming)``): plain text in
  a person's topic is relayed to the person; ``/resolve``, ``/note <texte>`` and
  ``/canned <nom>`` act on the hand-off.

What staff read is in ``STAFF_LANGUAGE`` (``staff_gettext``); what the person receives
(``notify_resolved``) is in the person's language.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from capabilities.conversation.services import Host
from capabilities.handoff.relay_media import post_media
from capabilities.handoff.staff_context import person_context
from capabilities.handoff.staff_identity import identify, link_with_code, remember
from capabilities.handoff.state import counsellor_reply, resolve
from core.clock import Clock, utcnow
from core.events import Event
from core.i18n import N_, gettext_for, resolve_locale, staff_gettext
from core.messages import Incoming, Kind, Reply
from core.ports import StaffGroup
from store import repo_handoff
from store.console_models import StaffNote, StaffTopic
from store.db import Session, SessionFactory
from store.errors import Conflict, database_errors
from store.models import Person, ProcessedUpdate
from store.outbox import enqueue

log = logging.getLogger(__name__)

STAFF_CHANNEL = "telegram-staff"
RESOLVED_TEXT = N_(
    "Votre conseiller a terminé cet échange. Je suis de nouveau là pour vos questions : "
    "écrivez-moi quand vous voulez."
)
HELP = N_(
    "Dans le sujet d'une personne : écrivez pour lui répondre. /resolve pour clore, "
    "/note <texte> pour une note privée, /canned <nom> pour une réponse type. "
    "/lier <code> relie votre compte Telegram à votre compte de la console (code sur la page "
    "« Mon compte »)."
)
LINKED = N_(
    "Compte Telegram relié à {name} : vos réponses sont enregistrées à votre nom, comme dans "
    "la console."
)
LINK_REFUSED = N_(
    "Code inconnu ou expiré : générez-en un nouveau sur la page « Mon compte » de la console."
)


class StaffRelay:
    """Bridges hand-offs and the staff group (listener + staff message handler)."""

    def __init__(
        self,
        sessions: SessionFactory,
        group: StaffGroup,
        chat_id: int,
        *,
        clock: Clock = utcnow,
        kick: Callable[[], None] | None = None,
    ) -> None:
        self.sessions = sessions
        self.group = group
        self.chat_id = chat_id
        self.clock = clock
        self.kick = kick
        self._locks: dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    # ------------------------------------------------------------------ person → staff
    async def on_event(self, event: Event) -> None:
        """Assistant listener: mirror hand-off events in the person's topic."""
        if event.name == "handoff":
            thread, created = await self.topic_for(event.person_id)
            if not created:  # a new request in an existing topic: post a fresh card
                await self.group.post(thread, self._card(event.person_id))
        elif event.name == "relay":
            thread, _created = await self.topic_for(event.person_id)
            text = str(event.data.get("text") or "")
            payload = str(event.data.get("payload") or "")
            if event.data.get("media_id"):
                await post_media(self.sessions, self.group, thread, int(event.data["media_id"]))
                return
            await self.group.post(thread, relayed_line(text, payload, event.data.get("distress")))
        elif event.name == "handoff_back":
            known = self._known_topic(event.person_id)
            if known is not None:
                await self.group.post(
                    known, staff_gettext("La personne est revenue à l'assistant.")
                )

    def _known_topic(self, person_id: int) -> int | None:
        with self.sessions() as session:
            topic = session.get(StaffTopic, person_id)
            return int(topic.thread_id) if topic else None

    def _card(self, person_id: int) -> str:
        with self.sessions() as session:
            return person_context(session, person_id).card()

    async def topic_for(self, person_id: int) -> tuple[int, bool]:
        """The person's topic, created (with its summary card) on first hand-off."""
        async with self._locks[person_id]:
            known = self._known_topic(person_id)
            if known is not None:
                return known, False
            with self.sessions() as session:
                person = session.get(Person, person_id)
                name = (person.display_name if person else None) or staff_gettext("Personne")
            title = staff_gettext("{name} · n° {id}").format(name=name, id=person_id)
            thread = await self.group.create_topic(title[:128])
            with self.sessions() as session:
                session.add(
                    StaffTopic(
                        person_id=person_id,
                        chat_id=self.chat_id,
                        thread_id=thread,
                        created_at=self.clock(),
                    )
                )
                try:
                    with database_errors():
                        session.commit()
                except Conflict:  # erased meanwhile
                    session.rollback()
            await self.group.post(thread, self._card(person_id))
            return thread, True

    async def mirror(self, person_id: int, text: str) -> None:
        """Show in the topic what a counsellor answered from the web console."""
        thread = self._known_topic(person_id)
        if thread is not None:
            await self.group.post(thread, text)

    # ------------------------------------------------------------------ staff → person
    async def handle(self, incoming: Incoming) -> list[Reply]:
        """A message in the staff group: relay it, or run a topic command."""
        _chat, _sep, thread_ref = incoming.user_ref.partition(":")
        if incoming.kind not in (Kind.TEXT, Kind.COMMAND) or not incoming.text.strip():
            return []
        with self.sessions() as session:
            if incoming.update_id is not None:
                if session.get(ProcessedUpdate, (STAFF_CHANNEL, incoming.update_id)):
                    return []
                session.add(ProcessedUpdate(channel=STAFF_CHANNEL, update_id=incoming.update_id))
            now = self.clock()
            remember(session, incoming, now)
            linked = self._link(session, incoming, now)
            if linked is not None:
                session.commit()
                return [linked]
            topic = None
            if thread_ref.isdigit():
                topic = repo_handoff.topic_by_thread(session, self.chat_id, int(thread_ref))
            if topic is None:
                session.commit()
                return [Reply(text=staff_gettext(HELP))] if incoming.kind is Kind.COMMAND else []
            replies, relayed = self._act(session, topic.person_id, incoming)
            session.commit()
        if relayed and self.kick is not None:
            self.kick()
        return replies

    @staticmethod
    def _link(session: Session, incoming: Incoming, now: datetime) -> Reply | None:
        """``/lier <code>``, anywhere in the group: link the sender to a console account."""
        head, _sep, rest = incoming.text.strip().partition(" ")
        if incoming.kind is not Kind.COMMAND or head.split("@")[0].lower() != "/lier":
            return None
        if incoming.sender_id is None or not rest.strip():
            return Reply(text=staff_gettext(LINK_REFUSED))
        staff = link_with_code(session, rest, incoming.sender_id, now)
        if staff is None:
            return Reply(text=staff_gettext(LINK_REFUSED))
        return Reply(text=staff_gettext(LINKED).format(name=staff.name))

    def _act(
        self, session: Session, person_id: int, incoming: Incoming
    ) -> tuple[list[Reply], bool]:
        conversation = repo_handoff.conversation_of(session, person_id)
        if conversation is None:
            return [Reply(text=staff_gettext("Cette personne a effacé ses données."))], False
        now = self.clock()
        who = identify(session, incoming)
        author, by = who.label, who.by
        text = incoming.text.strip()
        if incoming.kind is Kind.COMMAND:
            head, _sep, rest = text.partition(" ")
            command = head.split("@")[0].lower()
            rest = rest.strip()
            if command == "/resolve":
                if not resolve(session, conversation, at=now, by=by):
                    return [
                        Reply(text=staff_gettext("Rien à clore : l'assistant répond déjà."))
                    ], False
                notify_resolved(session, person_id, now)
                closed = staff_gettext("Clos par {author}. L'assistant répond de nouveau.")
                return [Reply(text=closed.format(author=author))], True
            if command == "/note":
                if not rest:
                    return [Reply(text=staff_gettext("Écrivez la note après /note."))], False
                session.add(
                    StaffNote(
                        person_id=person_id,
                        staff_id=who.staff_id,
                        author=author[:80],
                        created_at=now,
                        text=rest,
                    )
                )
                saved = staff_gettext("Note privée enregistrée (la personne ne la voit pas).")
                return [Reply(text=saved)], False
            if command == "/canned":
                canned = repo_handoff.canned_reply(session, rest.lower())
                if canned is None:
                    names = ", ".join(repo_handoff.canned_names(session))
                    unknown = staff_gettext("Réponse type inconnue. Disponibles : {names}.")
                    return [
                        Reply(text=unknown.format(names=names or staff_gettext("aucune")))
                    ], False
                counsellor_reply(
                    session, conversation, canned.text, at=now, by=by, channel=STAFF_CHANNEL
                )
                sent = staff_gettext("Envoyé : {text}").format(text=canned.text)
                return [Reply(text=sent)], True
            return [Reply(text=staff_gettext(HELP))], False
        counsellor_reply(session, conversation, text, at=now, by=by, channel=STAFF_CHANNEL)
        return [], True


def relayed_line(text: str, payload: str, distress: object = False) -> str:
    """A person's message as staff read it in the topic (``STAFF_LANGUAGE``)."""
    if text:
        line = text
    elif payload:
        line = staff_gettext("(bouton : {payload})").format(payload=payload)
    else:
        line = staff_gettext("(pièce jointe)")
    if distress:
        return staff_gettext("⚠️ Détresse — 👤 {line}").format(line=line)
    return f"👤 {line}"


def notify_resolved(session: Session, person_id: int, now: datetime) -> None:
    """Tell the person, in their language (chosen, else their app's), that the counsellor
    closed the exchange."""
    person = session.get(Person, person_id)
    client = (
        next((a.language_code for a in person.accounts if a.language_code), None)
        if person
        else None
    )
    _ = gettext_for(resolve_locale(person.locale if person else None, client)).gettext
    enqueue(
        session,
        key=f"resolved:{person_id}:{now.isoformat()}",
        person_id=person_id,
        rule="relay",
        replies=[Reply(text=_(RESOLVED_TEXT))],
        not_before=now,
        ignore_quiet_hours=True,
    )


def install(host: Host, relay: StaffRelay) -> StaffRelay:
    """Register the relay as a listener of the assistant's events (composition root)."""
    if relay.on_event not in host.services.listeners:
        host.services.listeners.append(relay.on_event)
    return relay
