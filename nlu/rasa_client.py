"""Parse through a Rasa server, falling back to the embedded engine when Rasa is unwell.

When ``RASA_URL`` is set the bot sends free text to Rasa's ``POST /model/parse``. A slow,
dead or confused server must never hold a conversation hostage: each message falls back to
the embedded engine on timeout, HTTP error or malformed JSON, and a circuit breaker stops
trying Rasa for a cool-down after several failures in a row (then lets one probe through).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from core import metrics
from core.clock import Clock, utcnow
from core.settings import Settings
from nlu.normalize import MAX_CHARS
from nlu.service import NluService

if TYPE_CHECKING:
    from nlu.engine import EmbeddedEngine

log = logging.getLogger(__name__)

ParseResult = dict[str, Any]

# Rasa's FallbackClassifier answers this pseudo-intent below its threshold. The bot has its own
# low-confidence flow (two best guesses as buttons), so the client hands it the real ranking.
RASA_FALLBACK_INTENT = "nlu_fallback"

# When two extractors find the same entity on overlapping text, keep the most trusted one:
# exact lookup/regex matches (already mapped to the canonical synonym) beat DIET's guess.
_EXTRACTOR_RANK = {"RegexEntityExtractor": 0, "EntitySynonymMapper": 1}
_DEFAULT_RANK = 2

# Entities whose values the embedded French parser normalises (ISO dates, HH:MM times).
NORMALISED_ENTITIES = frozenset({"date", "time"})


class RasaError(RuntimeError):
    """Rasa did not give a usable answer (timeout, HTTP error, malformed JSON)."""


class CircuitBreaker:
    """Stops calling a failing dependency for a while, then probes it once.

    ``closed``: calls go through. After ``failure_threshold`` consecutive failures it becomes
    ``open``: calls are refused until ``cooldown_s`` has passed on the injected clock, then one
    probe is allowed (``half_open``); its success closes the breaker, its failure re-opens it.
    """

    def __init__(
        self, failure_threshold: int = 3, cooldown_s: float = 30.0, clock: Clock = utcnow
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self.failure_threshold = failure_threshold
        self.cooldown = timedelta(seconds=cooldown_s)
        self._clock = clock
        self._failures = 0
        self._opened_at: datetime | None = None
        self._probing = False

    @property
    def state(self) -> str:
        """``closed``, ``open`` or ``half_open`` (for logs, health pages and tests)."""
        if self._opened_at is None:
            return "closed"
        if self._probing or self._clock() - self._opened_at >= self.cooldown:
            return "half_open"
        return "open"

    def allow(self) -> bool:
        """Whether the next call may try the dependency (claims the probe when half-open)."""
        state = self.state
        if state == "closed":
            return True
        if state == "half_open" and not self._probing:
            self._probing = True
            return True
        return False

    def record_success(self) -> None:
        """The dependency answered: forget past failures."""
        self._failures = 0
        self._opened_at = None
        self._probing = False

    def record_failure(self) -> None:
        """The dependency failed: count it, and open (or re-open) when over the threshold."""
        self._failures += 1
        if self._probing or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()
        self._probing = False


def _entity_rank(entity: dict[str, Any]) -> tuple[int, int, float]:
    extractor = str(entity.get("extractor", ""))
    rank = _EXTRACTOR_RANK.get(extractor, _DEFAULT_RANK)
    if rank == _DEFAULT_RANK and "EntitySynonymMapper" in (entity.get("processors") or []):
        rank = _EXTRACTOR_RANK["EntitySynonymMapper"]
    span = int(entity.get("end", 0)) - int(entity.get("start", 0))
    confidence = entity.get("confidence_entity", entity.get("confidence", 1.0))
    try:
        conf = float(confidence)
    except (TypeError, ValueError):
        conf = 0.0
    return rank, -span, -conf


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return int(a["start"]) < int(b["end"]) and int(b["start"]) < int(a["end"])


def merge_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep one entity per (type, overlapping span), preferring regex/synonym-mapped values.

    DIET and the RegexEntityExtractor often both find "Grande-Synthe"; the flows must see it
    once, with the canonical value from the lookup table.
    """
    kept: list[dict[str, Any]] = []
    for entity in sorted(entities, key=_entity_rank):
        if any(e["entity"] == entity["entity"] and _overlap(e, entity) for e in kept):
            continue
        kept.append(entity)
    return sorted(kept, key=lambda e: (int(e["start"]), int(e["end"]), str(e["entity"])))


def _valid_entity(entity: object) -> bool:
    return (
        isinstance(entity, dict)
        and isinstance(entity.get("entity"), str)
        and isinstance(entity.get("start"), int)
        and isinstance(entity.get("end"), int)
        and "value" in entity
    )


def _intent(item: object) -> dict[str, Any] | None:
    if not isinstance(item, dict):
        return None
    name, confidence = item.get("name"), item.get("confidence")
    if not isinstance(name, str) or not isinstance(confidence, int | float):
        return None
    return {"name": name, "confidence": float(confidence)}


def normalise_parse(payload: object, text: str) -> ParseResult:
    """Check Rasa's answer and reshape it into the bot's parse contract.

    Raises :class:`RasaError` when the payload is not a usable parse. ``nlu_fallback`` is
    replaced by the best real intent so the bot applies its own threshold.
    """
    if not isinstance(payload, dict):
        raise RasaError("Rasa answered something that is not a JSON object")
    intent = _intent(payload.get("intent"))
    if intent is None:
        raise RasaError("Rasa's answer has no intent name and confidence")
    raw_ranking = payload.get("intent_ranking")
    ranking = [
        r
        for r in (_intent(item) for item in (raw_ranking if isinstance(raw_ranking, list) else []))
        if r is not None and r["name"] != RASA_FALLBACK_INTENT
    ]
    if intent["name"] == RASA_FALLBACK_INTENT:
        if not ranking:
            raise RasaError("Rasa fell back without any ranked intent")
        intent = dict(ranking[0])
    if not ranking:
        ranking = [dict(intent)]
    raw_entities = payload.get("entities")
    if raw_entities is None:
        raw_entities = []
    if not isinstance(raw_entities, list) or not all(_valid_entity(e) for e in raw_entities):
        raise RasaError("Rasa's entities are malformed")
    return {
        "text": text,
        "intent": intent,
        "entities": merge_entities(raw_entities),
        "intent_ranking": ranking,
    }


class RasaClient:
    """A thin async client for one Rasa server; reuses one HTTP connection pool.

    The owner (the bot's start-up hook) creates it and calls :meth:`aclose` at shutdown.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        timeout_s: float = 2.0,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._params = {"token": token} if token else {}
        self._own_http = http is None
        self._http = http or httpx.AsyncClient(timeout=httpx.Timeout(timeout_s))
        self._timeout = httpx.Timeout(timeout_s)

    async def parse(self, text: str) -> ParseResult:
        """Ask Rasa to understand ``text``; raise :class:`RasaError` on any failure."""
        try:
            response = await self._http.post(
                f"{self.base_url}/model/parse",
                params=self._params,
                json={"text": text},
                timeout=self._timeout,
            )
            response.raise_for_status()
            payload = response.json()
        except httpx.TimeoutException as exc:
            raise RasaError(f"Rasa timed out: {type(exc).__name__}") from exc
        except httpx.HTTPStatusError as exc:
            raise RasaError(f"Rasa answered HTTP {exc.response.status_code}") from exc
        except httpx.HTTPError as exc:
            raise RasaError(f"Rasa unreachable: {type(exc).__name__}: {exc}") from exc
        except ValueError as exc:
            raise RasaError("Rasa answered invalid JSON") from exc
        return normalise_parse(payload, text)

    async def status(self) -> dict[str, Any]:
        """Rasa's ``GET /status`` (which model is loaded); raise :class:`RasaError` if down."""
        try:
            response = await self._http.get(
                f"{self.base_url}/status", params=self._params, timeout=self._timeout
            )
            response.raise_for_status()
            payload = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaError(f"Rasa status unavailable: {type(exc).__name__}") from exc
        if not isinstance(payload, dict):
            raise RasaError("Rasa status is not a JSON object")
        return payload

    async def healthy(self) -> bool:
        """True when Rasa is up and has a model loaded."""
        try:
            status = await self.status()
        except RasaError:
            return False
        return bool(status.get("model_file") or status.get("model_id"))

    async def aclose(self) -> None:
        """Close the connection pool if this client created it."""
        if self._own_http:
            await self._http.aclose()


class RasaNluService(NluService):
    """Rasa first, the embedded engine when Rasa cannot answer; logs which engine answered.

    Dates and times always come from the embedded French date parser (ISO values in
    Europe/Paris), since this Rasa pipeline has no date normaliser: DIET's raw "demain" would
    be useless to the booking flow. Each result carries ``"engine": "rasa" | "embedded"``.
    """

    def __init__(
        self,
        client: RasaClient,
        engine: EmbeddedEngine | None = None,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        super().__init__(engine)
        self.client = client
        self.breaker = breaker or CircuitBreaker()
        self.answered: dict[str, int] = {"rasa": 0, "embedded": 0}

    def _answer(self, engine: str, result: ParseResult) -> ParseResult:
        self.answered[engine] += 1
        log.debug("nlu engine=%s intent=%s", engine, result.get("intent", {}).get("name"))
        return {**result, "engine": engine}

    async def parse(self, text: str, now: datetime | None = None) -> ParseResult:
        """Understand one message; never raises or waits long because Rasa is down or slow."""
        if isinstance(text, str) and text.strip() and self.breaker.allow():
            try:
                result = await self.client.parse(text[:MAX_CHARS])
            except RasaError as exc:
                metrics.NLU_FALLBACKS.labels(reason="error").inc()
                self.breaker.record_failure()
                log.warning(
                    "Rasa failed (%s); embedded engine answers (breaker %s)",
                    exc,
                    self.breaker.state,
                )
            else:
                self.breaker.record_success()
                embedded = await super().parse(text, now)
                result["text"] = text
                result["entities"] = [
                    e for e in result["entities"] if e["entity"] not in NORMALISED_ENTITIES
                ] + [e for e in embedded["entities"] if e["entity"] in NORMALISED_ENTITIES]
                result["entities"].sort(key=lambda e: (int(e["start"]), int(e["end"])))
                return self._answer("rasa", result)
        elif isinstance(text, str) and text.strip():
            metrics.NLU_FALLBACKS.labels(reason="breaker_open").inc()
        return self._answer("embedded", await super().parse(text, now))

    def engine_name(self, result: ParseResult | None = None) -> str:
        """Which engine produced a parse (``rasa`` or ``embedded``)."""
        if result is not None and result.get("engine") == "rasa":
            return "rasa"
        return super().engine_name(result)

    async def start(self) -> None:
        """Build the embedded fallback, then check Rasa's health once (never fails start-up)."""
        await super().start()
        if await self.client.healthy():
            log.info("Rasa is up at %s", self.client.base_url)
        else:
            log.warning(
                "Rasa is not ready at %s; the embedded engine answers until it is",
                self.client.base_url,
            )

    async def close(self) -> None:
        """Release the HTTP client (called from the bot's shutdown hook)."""
        await self.client.aclose()
        await super().close()


def build_nlu_service(settings: Settings, clock: Clock = utcnow) -> NluService:
    """Rasa with embedded fallback when ``RASA_URL`` is set, else the embedded engine alone."""
    if not settings.rasa_url:
        return NluService()
    client = RasaClient(settings.rasa_url, settings.rasa_token, settings.rasa_timeout_s)
    return RasaNluService(client, breaker=CircuitBreaker(clock=clock))


class FallbackNlu(RasaNluService):
    """Compatibility with ``app/build.py``: Rasa in front of an existing ``NluService``.

    Prefer :func:`build_nlu_service`; this keeps ``FallbackNlu(client, embedded).parse`` and
    ``.aclose`` working and shares the embedded engine the caller already built.
    """

    def __init__(
        self, client: RasaClient, embedded: NluService, breaker: CircuitBreaker | None = None
    ) -> None:
        super().__init__(client, embedded.embedded, breaker)

    async def aclose(self) -> None:
        """Same as :meth:`close`."""
        await self.close()
