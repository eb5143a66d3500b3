"""The ``sms`` channel over Brevo's transactional SMS API (``POST /v3/transactionalSMS/send``).

Request: ``{"sender", "recipient" (country code, no "+"), "content", "type": "transactional",
"tag", "unicodeEnabled", "webUrl"?}`` with the ``api-key`` header; answer ``{"messageId"}``.
Brevo's errors are ``{"code", "message"}``: a 400 on a recipient is final (the number cannot
receive SMS: :class:`RecipientBlocked`), 429 waits (:class:`RetryLater`), 402 (no credits)
pauses the SMS channel for an hour (:class:`ChannelPaused`: the dispatcher stores the pause in
``channel_pauses``, which every sender reads, so an admin can end it early from the console;
the other channels go on), 5xx and network errors are retried (:class:`TransientDeliveryError`).
The number is never logged, only masked. Each accepted SMS is told to ``on_sent`` (its
Brevo ``messageId`` and segments: the delivery reports and the week's indicators).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

import httpx

from core.messages import Incoming, Kind, Reply
from core.ports import (
    ChannelPaused,
    DeliveryError,
    RecipientBlocked,
    Renders,
    RetryLater,
    TransientDeliveryError,
)
from sms.phone import masked
from sms.render import Sms, render
from sms.segments import is_gsm

log = logging.getLogger(__name__)

CHANNEL = "sms"
BREVO_URL = "https://api.brevo.com/v3"
STOP_WORDS = {"stop", "arret", "arrêt", "stop sms", "stopsms"}
NO_CREDIT_PAUSE = 3600.0  # seconds
TAG = "assistant-20000-emplois"  # an SMS sent without a key of ours
OnSent = Callable[[str, int, int, tuple[str, ...]], None]  # number, messageId, segments, choices


class BrevoSms:
    """The SMS channel: renders replies for SMS and sends them through Brevo."""

    name = CHANNEL
    renders: frozenset[Renders] = frozenset()  # buttons become numbered answers

    def __init__(
        self,
        api_key: str,
        sender: str,
        *,
        base_url: str = BREVO_URL,
        web_url: str = "",
        on_sent: OnSent | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api_key = api_key
        self.sender = sender[:11]
        self.base_url = base_url.rstrip("/")
        self.web_url = web_url
        self._client: httpx.AsyncClient | None = None
        self._choices: dict[str, tuple[str, ...]] = {}
        self.sent_segments = 0
        self.on_sent = on_sent
        self.monotonic = monotonic
        # The last 402 (no credits) + the pause: what /readyz says if the database cannot
        # be read. Sending is held by the stored pause (``channel_pauses``), not by this.
        self.paused_until = 0.0

    @property
    def paused(self) -> bool:
        """True within the hour after Brevo said the account has no credits left."""
        return self.monotonic() < self.paused_until

    async def start(self) -> None:
        """Open the HTTP client."""
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            headers={"api-key": self.api_key, "accept": "application/json"},
            timeout=10.0,
        )

    async def stop(self) -> None:
        """Close it."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def send(self, user_ref: str, replies: Sequence[Reply]) -> None:
        """One SMS for the replies (≤ 2 segments), or a :class:`DeliveryError`."""
        await self.send_keyed(user_ref, replies, TAG)

    async def send_keyed(self, user_ref: str, replies: Sequence[Reply], key: str) -> None:
        """The SMS with Brevo's ``tag`` = ``key`` (``outbox-<id>-<hash>``): :meth:`was_sent`
        finds it again in Brevo's events."""
        sms = render(replies)
        if not sms.text.strip():
            return
        message_id = await self._post(user_ref, sms, key)
        self._choices[user_ref] = sms.choices
        self.sent_segments += sms.segments
        if self.on_sent is not None:
            self.on_sent(user_ref, message_id, sms.segments, sms.choices)

    async def was_sent(self, key: str, user_ref: str, replies: Sequence[Reply]) -> bool:
        """Did an SMS tagged ``key`` leave? Brevo's events
        (``GET /transactionalSMS/statistics/events?tags=…``, the last 7 days): any event of
        that tag means Brevo took it. Then it is told to ``on_sent`` as a send of ours (the
        event's ``messageId``, the segments of ``replies``): its delivery reports and the
        week's count and cost see it. :class:`TransientDeliveryError` when Brevo cannot be
        asked (network, 5xx, 429, an answer without ``events``)."""
        if self._client is None:
            raise TransientDeliveryError("SMS channel not started")
        params: dict[str, str | int] = {"tags": key, "days": 7, "limit": 100, "sort": "desc"}
        try:
            response = await self._client.get("/transactionalSMS/statistics/events", params=params)
        except httpx.HTTPError as exc:
            raise TransientDeliveryError(f"Brevo events unreachable: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise TransientDeliveryError(f"Brevo events {response.status_code}")
        try:
            events = response.json().get("events")
        except (ValueError, AttributeError) as exc:
            raise TransientDeliveryError("Brevo events: not JSON") from exc
        if events is None:  # Brevo answers {} when nothing matches
            return False
        if not isinstance(events, list):
            raise TransientDeliveryError("Brevo events: no list")
        ours = [e for e in events if isinstance(e, dict) and e.get("tag") == key]
        if not ours:
            return False
        ids = [str(e.get("messageId", "")) for e in ours]
        message_id = next((int(i) for i in ids if i.isdigit()), None)
        sms = render(replies)
        self._choices[user_ref] = sms.choices
        if message_id is None:
            log.warning("Brevo events: an SMS tagged %s has no messageId", key)
        elif self.on_sent is not None:
            try:  # the row is marked sent whatever happens here: never twice comes first
                self.on_sent(user_ref, message_id, sms.segments, sms.choices)
            except Exception:
                log.exception("the SMS found in Brevo's events could not be recorded")
        return True

    async def _post(self, user_ref: str, sms: Sms, tag: str = "") -> int:
        if self._client is None:
            raise TransientDeliveryError("SMS channel not started")
        body: dict[str, object] = {
            "sender": self.sender,
            "recipient": user_ref.removeprefix("+"),
            "content": sms.text,
            "type": "transactional",
            "tag": tag or TAG,
            "unicodeEnabled": not is_gsm(sms.text),
        }
        if self.web_url:
            body["webUrl"] = self.web_url
        try:
            response = await self._client.post("/transactionalSMS/send", json=body)
        except httpx.HTTPError as exc:
            raise TransientDeliveryError(f"Brevo unreachable: {type(exc).__name__}") from exc
        if response.status_code in (200, 201):
            return int(response.json().get("messageId", 0))
        code = _error_code(response)
        log.warning(
            "Brevo refused an SMS to %s: %s %s", masked(user_ref), response.status_code, code
        )
        if response.status_code == 400:
            raise RecipientBlocked(f"Brevo: {code}")
        if response.status_code == 429:
            raise RetryLater(float(response.headers.get("retry-after", "60") or 60))
        if response.status_code == 402:
            self.paused_until = self.monotonic() + NO_CREDIT_PAUSE
            log.error("Brevo: no SMS credits left; SMS paused for %d s", NO_CREDIT_PAUSE)
            raise ChannelPaused(NO_CREDIT_PAUSE)
        if response.status_code >= 500:
            raise TransientDeliveryError(f"Brevo {response.status_code}")
        raise DeliveryError(f"Brevo {response.status_code}: {code}")  # 401/403: configuration

    def incoming(
        self,
        sender: str,
        text: str,
        *,
        message_id: int | None = None,
        choices: Sequence[str] | None = None,
    ) -> Incoming:
        """An SMS from ``sender`` (E.164) as the assistant hears it: a digit of the numbered
        answers (``choices`` of the SMS replied to, else the last sent) is that button; STOP
        is ``/stop``; anything else is free text."""
        cleaned = (text or "").strip()
        if choices is None:
            choices = self._choices.get(sender, ())
        if cleaned.isdigit() and 0 < int(cleaned) <= len(choices):
            return Incoming(
                CHANNEL,
                sender,
                Kind.BUTTON,
                payload=choices[int(cleaned) - 1],
                update_id=message_id,
            )
        if cleaned.lower().rstrip(".! ") in STOP_WORDS:
            return Incoming(CHANNEL, sender, Kind.COMMAND, text="/stop", update_id=message_id)
        if cleaned.startswith("/") and " " not in cleaned:  # /mesdonnees, /supprimer…
            return Incoming(CHANNEL, sender, Kind.COMMAND, text=cleaned, update_id=message_id)
        return Incoming(CHANNEL, sender, Kind.TEXT, text=cleaned, update_id=message_id)


def _error_code(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return "?"
    return str(data.get("code", "?")) if isinstance(data, dict) else "?"
