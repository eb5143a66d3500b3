"""SMS wired into the application context: the Brevo channel and its authenticated webhook.

``SMS_PROVIDER=brevo`` adds the ``sms`` channel (the dispatcher sends check-ins, reminders
and counsellors' answers through it) and, on the console's HTTP server, Brevo's webhook:

``POST /sms/brevo/<SMS_WEBHOOK_SECRET>`` (or ``POST /sms/brevo`` with the
``X-Sms-Webhook-Secret`` header), both compared in constant time:
- a wrong or missing secret → 401, nothing read;
- a body over 1 MB → 400, not JSON or not a Brevo SMS event → 400;
- otherwise the event is written to ``sms_inbox`` (keyed on Brevo's ``messageId``, the event
  and its date, so a re-delivered webhook is stored once) and committed, then → 200; the
  database down → 503 (Brevo tries again).
The recorded events are then processed in order: a reply (``msg_status: "replied"``, the
text in ``reply``, the number in ``to``) goes to the assistant as that person's message and
the answer goes back by SMS; a delivery report updates the SMS's state (``sms_deliveries``).
Shapes from Brevo's public documentation (transactional SMS webhooks); see docs/sms.md.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.context import AppContext
from app.sms_replies import TurnReplies
from app.webhook import MAX_BODY, _plain, _read
from core.clock import Clock
from core.ports import Handler
from scheduler.dispatch.unreachable import mark_channel_unreachable
from sms.brevo import BrevoSms
from store import repo_conversation
from store import sms as sms_store
from store.db import SessionFactory

log = logging.getLogger(__name__)

PATH = "/sms/brevo"
SECRET_HEADER = "x-sms-webhook-secret"
REPLIED = "replied"
# Brevo's SMS events → the state the console shows.
STATES = {
    "sent": "pending",
    "accepted": "pending",
    "delivered": "sent",
    "soft_bounce": "failed",
    "hard_bounce": "failed",
    "rejected": "failed",
    "blacklisted": "failed",
    "blocked": "failed",
    "invalid_number": "failed",
    "skip": "failed",
    "unsubscribe": "failed",
}

# The number cannot receive SMS: stop sending to it until a counsellor resumes (console).
HARD_STOPS = frozenset({"hard_bounce", "blacklisted", "blocked", "invalid_number"})

__all__ = ["MAX_BODY", "BrevoWebhook", "SmsParts", "event_key", "wire_sms"]


def event_key(event: dict[str, Any]) -> str | None:
    """The event's key in the inbox, or None when it is not a Brevo SMS event."""
    status = str(event.get("msg_status") or event.get("event") or "").strip().lower()
    message_id = event.get("messageId", event.get("message_id"))
    if not status or message_id in (None, "") or not str(message_id).isdigit():
        return None
    when = str(event.get("ts_event") or event.get("date") or "")
    text = hashlib.sha256(str(event.get("reply") or "").encode()).hexdigest()[:16]
    return f"{message_id}:{status}:{when}:{text}"[:128]


def status_of(event: dict[str, Any]) -> str:
    return str(event.get("msg_status") or event.get("event") or "").strip().lower()


def number_of(event: dict[str, Any]) -> str:
    """Brevo gives the number without "+" (``33612345678``): E.164 as stored."""
    digits = "".join(ch for ch in str(event.get("to") or event.get("from") or "") if ch.isdigit())
    return f"+{digits}" if digits else ""


@dataclass
class SmsInbound:
    """Processes the recorded events, one at a time, in order of arrival."""

    sessions: SessionFactory
    channel: BrevoSms
    handler: Handler
    clock: Clock
    kick: Callable[[], None] | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    processed: int = 0

    def __post_init__(self) -> None:
        self.replies = TurnReplies(self.sessions, self.channel, self.clock, self.kick)

    async def drain(self) -> int:
        """Process every pending event; returns how many."""
        done = 0
        async with self._lock:
            while True:
                batch = await asyncio.to_thread(self._pending)
                if not batch:
                    return done
                for key, number, kind, payload in batch:
                    await self._one(key, number, kind, payload)
                    done += 1

    def _pending(self) -> list[tuple[str, int, str, str | None]]:
        with self.sessions() as session, session.begin():
            rows = list(sms_store.pending(session))
            for key, *_rest in rows:
                sms_store.started(session, key)
            return rows

    async def _one(self, key: str, number: int, kind: str, payload: str | None) -> None:
        try:
            event = json.loads(payload or "{}")
            if kind == REPLIED:
                await self._reply(event, number)
            else:
                await asyncio.to_thread(self._report, event)
        except Exception:
            log.exception("SMS event %s could not be processed; tried again later", number)
            return
        await asyncio.to_thread(self._done, key)
        self.processed += 1

    async def _reply(self, event: dict[str, Any], number: int) -> None:
        phone = number_of(event)
        if not phone:
            return
        choices = await asyncio.to_thread(self._choices, event)
        text = str(event.get("reply") or "")
        incoming = self.channel.incoming(phone, text, message_id=number, choices=choices)
        replies = await self.handler.handle(incoming)
        if replies:  # the keyed path: a re-processed event never sends them twice
            await self.replies.send(incoming, replies)

    def _choices(self, event: dict[str, Any]) -> tuple[str, ...] | None:
        """The numbered answers of the SMS this replies to (kept in the database)."""
        with self.sessions() as session:
            return sms_store.choices_of(session, int(event["messageId"]))

    def _report(self, event: dict[str, Any]) -> None:
        state = STATES.get(status_of(event))
        if state is None:
            return
        reason = None
        if state == "failed":
            reason = str(event.get("description") or status_of(event))[:120]
        now = self.clock()
        with self.sessions() as session, session.begin():
            sms_store.report(session, int(event["messageId"]), state, reason, now)
            person_id = sms_store.person_of(session, int(event["messageId"]))
            if status_of(event) in HARD_STOPS and person_id is not None:
                why = f"Brevo {status_of(event)}: {reason}"
                if mark_channel_unreachable(session, person_id, "sms", None, why, now):
                    log.warning("SMS stopped for person %s: %s", person_id, status_of(event))

    def _done(self, key: str) -> None:
        with self.sessions() as session, session.begin():
            sms_store.mark_done(session, key, self.clock())


class BrevoWebhook:
    """The endpoint; each new event schedules :meth:`SmsInbound.drain`."""

    def __init__(
        self, secret: str, sessions: SessionFactory, clock: Clock, drain: Callable[[], Any]
    ) -> None:
        self._secret = secret.encode()
        self.sessions = sessions
        self.clock = clock
        self.drain = drain
        self.received = 0
        self.duplicates = 0
        self._tasks: set[asyncio.Task[Any]] = set()

    def mount(self, app: ASGIApp) -> ASGIApp:
        """``app`` with this endpoint in front of it."""

        async def routed(scope: Scope, receive: Receive, send: Send) -> None:
            path = scope.get("path", "") if scope["type"] == "http" else ""
            if path == PATH or path.startswith(PATH + "/"):
                response = await self._answer(Request(scope, receive), path)
                await response(scope, receive, send)
            else:
                await app(scope, receive, send)

        return routed

    def _authorised(self, request: Request, path: str) -> bool:
        given = path.removeprefix(PATH).removeprefix("/") or request.headers.get(SECRET_HEADER, "")
        return hmac.compare_digest(given.encode(), self._secret)

    async def _answer(self, request: Request, path: str) -> Response:
        if not self._authorised(request, path):
            return _plain(401, "unauthorized")
        if request.method != "POST":
            return _plain(405, "POST only", {"Allow": "POST"})
        body = await _read(request)
        if body is None:
            return _plain(400, "body too large")
        try:
            text = body.decode("utf-8")
            event = json.loads(text)
        except ValueError:
            return _plain(400, "not JSON")
        key = event_key(event) if isinstance(event, dict) else None
        if key is None:
            return _plain(400, "not a Brevo SMS event")
        kind = REPLIED if status_of(event) == REPLIED else "report"
        try:
            new = await asyncio.to_thread(self._record, key, kind, text)
        except Exception:
            log.exception("could not record an SMS event; Brevo will deliver it again")
            return _plain(503, "try again")
        self.received += 1
        if new:
            task = asyncio.ensure_future(self.drain())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            self.duplicates += 1
        return JSONResponse({"ok": True})

    def _record(self, key: str, kind: str, text: str) -> bool:
        with self.sessions() as session, session.begin():
            return sms_store.record(session, key, kind, text, self.clock())


@dataclass
class SmsParts:
    """What serving SMS adds to a context."""

    channel: BrevoSms
    inbound: SmsInbound
    webhook: BrevoWebhook


def wire_sms(context: AppContext, *, handler: Handler | None = None) -> SmsParts | None:
    """The ``sms`` channel and its webhook when ``SMS_PROVIDER=brevo``; None otherwise."""
    settings = context.settings
    if settings.sms_provider != "brevo":
        return None
    assert settings.brevo_api_key  # both checked by the settings
    assert settings.sms_webhook_secret
    sessions, clock = context.sessions, context.clock

    def on_sent(phone: str, message_id: int, segments: int, choices: tuple[str, ...]) -> None:
        with sessions() as session, session.begin():
            person_id = repo_conversation.person_id_of(session, "sms", phone)
            sms_store.sent(session, message_id, person_id, segments, clock(), choices)

    channel = BrevoSms(
        settings.brevo_api_key,
        settings.sms_sender,
        base_url=settings.brevo_base_url,
        on_sent=on_sent,
    )
    context.add_channel(channel)
    inbound = SmsInbound(
        sessions, channel, handler or context.assistant, clock, kick=context.wakeup.kick
    )
    webhook = BrevoWebhook(settings.sms_webhook_secret, sessions, clock, inbound.drain)
    return SmsParts(channel, inbound, webhook)
