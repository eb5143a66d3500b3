"""The bot's Rasa client against a fake Rasa HTTP server on loopback.

What a person would notice: when Rasa is slow, down or confused, they still get an answer
(from the embedded engine), quickly, and the bot stops waiting on a dead server.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from core import metrics
from core.clock import FrozenClock
from core.settings import load_settings
from nlu.normalize import MAX_CHARS
from nlu.rasa_client import (
    CircuitBreaker,
    FallbackNlu,
    RasaClient,
    RasaNluService,
    build_nlu_service,
    merge_entities,
    normalise_parse,
)
from nlu.service import NluService

TOKEN = "s3cret"


def rasa_answer(text: str) -> dict[str, Any]:
    """What Rasa 3.6 answers for a message about Grande-Synthe (DIET + regex duplicates)."""
    start = text.find("grande synthe")
    entities: list[dict[str, Any]] = []
    if start >= 0:
        span = {"start": start, "end": start + len("grande synthe")}
        entities = [
            {
                "entity": "commune",
                **span,
                "value": "grande synthe",
                "extractor": "DIETClassifier",
                "confidence_entity": 0.93,
            },
            {
                "entity": "commune",
                **span,
                "value": "Grande-Synthe",
                "extractor": "RegexEntityExtractor",
                "processors": ["EntitySynonymMapper"],
            },
        ]
    return {
        "text": text,
        "intent": {"name": "ask_transport", "confidence": 0.91},
        "entities": entities,
        "intent_ranking": [
            {"name": "ask_transport", "confidence": 0.91},
            {"name": "ask_driving_licence", "confidence": 0.05},
        ],
    }


class FakeRasa:
    """A tiny HTTP/1.1 server speaking just enough of Rasa's API for the client."""

    def __init__(self) -> None:
        self.mode = "ok"  # ok | error | bad_json | hang
        self.answer: Callable[[str], dict[str, Any]] = rasa_answer
        self.requests: list[tuple[str, str, dict[str, list[str]], bytes]] = []
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._release = asyncio.Event()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._release.set()
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()

    def parse_requests(self) -> int:
        return sum(1 for _, path, _, _ in self.requests if path == "/model/parse")

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                method, target, _ = line.decode().split(" ", 2)
                length = 0
                while (header := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = header.decode().partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                body = await reader.readexactly(length) if length else b""
                parts = urlsplit(target)
                self.requests.append((method, parts.path, parse_qs(parts.query), body))
                status, payload = await self._respond(method, parts.path, body)
                writer.write(
                    f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(payload)}\r\n\r\n".encode()
                    + payload
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _respond(self, method: str, path: str, body: bytes) -> tuple[str, bytes]:
        if self.mode == "hang":
            await self._release.wait()
        if self.mode == "error":
            return "500 Internal Server Error", b'{"status": "failure"}'
        if self.mode == "bad_json":
            return "200 OK", b"<html>not json"
        if path == "/status" and method == "GET":
            return "200 OK", json.dumps({"model_file": "nlu.tar.gz", "model_id": "x"}).encode()
        if path == "/model/parse" and method == "POST":
            text = json.loads(body)["text"]
            return "200 OK", json.dumps(self.answer(text)).encode()
        return "404 Not Found", b"{}"


class FakeEmbedded:
    """Stands in for the embedded engine: always answers, finds "demain", counts its calls."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def parse(self, text: str, now: datetime | None = None) -> dict[str, Any]:
        self.calls.append(text)
        start = text.find("demain")
        entities = (
            [{"entity": "date", "start": start, "end": start + 6, "value": "2025-03-05"}]
            if start >= 0
            else []
        )
        return {
            "text": text,
            "intent": {"name": "out_of_scope", "confidence": 0.6},
            "entities": entities,
            "intent_ranking": [{"name": "out_of_scope", "confidence": 0.6}],
        }


@pytest.fixture
async def rasa() -> AsyncIterator[FakeRasa]:
    server = FakeRasa()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2025, 3, 4, 9, 0, tzinfo=UTC))


@pytest.fixture
async def nlu(rasa: FakeRasa, clock: FrozenClock) -> AsyncIterator[RasaNluService]:
    client = RasaClient(rasa.url, token=TOKEN, timeout_s=0.3)
    service = RasaNluService(
        client,
        FakeEmbedded(),  # type: ignore[arg-type]
        CircuitBreaker(failure_threshold=3, cooldown_s=30, clock=clock),
    )
    try:
        yield service
    finally:
        await service.close()


def embedded_calls(nlu: RasaNluService) -> list[str]:
    assert isinstance(nlu.embedded, FakeEmbedded)
    return nlu.embedded.calls


async def test_rasa_answers_with_token_and_one_merged_entity(
    rasa: FakeRasa, nlu: RasaNluService
) -> None:
    result = await nlu.parse("bus pour grande synthe ?")

    assert result["intent"] == {"name": "ask_transport", "confidence": 0.91}
    assert [(e["entity"], e["value"]) for e in result["entities"]] == [("commune", "Grande-Synthe")]
    assert result["intent_ranking"][0]["name"] == "ask_transport"
    method, path, query, body = rasa.requests[-1]
    assert (method, path, query["token"]) == ("POST", "/model/parse", [TOKEN])
    assert json.loads(body) == {"text": "bus pour grande synthe ?"}
    assert nlu.answered == {"rasa": 1, "embedded": 0}
    assert nlu.engine_name(result) == "rasa"


async def test_dates_come_normalised_from_the_french_date_parser(
    rasa: FakeRasa, nlu: RasaNluService
) -> None:
    rasa.answer = lambda text: {
        "intent": {"name": "book_appointment", "confidence": 0.9},
        "entities": [
            {"entity": "date", "start": 11, "end": 17, "value": "demain", "extractor": "DIET"},
            {"entity": "espace", "start": 21, "end": 29, "value": "saint_pol", "extractor": "R"},
        ],
    }

    result = await nlu.parse("un rdv pour demain a St Pol ?")

    assert [(e["entity"], e["value"]) for e in result["entities"]] == [
        ("date", "2025-03-05"),
        ("espace", "saint_pol"),
    ]
    assert result["intent"]["name"] == "book_appointment"


async def test_rasa_fallback_intent_becomes_the_best_real_guess(
    rasa: FakeRasa, nlu: RasaNluService
) -> None:
    rasa.answer = lambda text: {
        "text": text,
        "intent": {"name": "nlu_fallback", "confidence": 0.45},
        "entities": [],
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.45},
            {"name": "ask_prif", "confidence": 0.31},
            {"name": "ask_prf", "confidence": 0.29},
        ],
    }

    result = await nlu.parse("prif ou prf ?")

    assert result["intent"] == {"name": "ask_prif", "confidence": 0.31}
    assert [r["name"] for r in result["intent_ranking"]] == ["ask_prif", "ask_prf"]


@pytest.mark.parametrize("mode", ["error", "bad_json", "hang"])
async def test_a_failing_rasa_still_gets_the_person_an_answer(
    rasa: FakeRasa, nlu: RasaNluService, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    rasa.mode = mode
    fallbacks = metrics.NLU_FALLBACKS.labels(reason="error")
    before = fallbacks._value.get()

    with caplog.at_level(logging.DEBUG, logger="nlu.rasa_client"):
        result = await nlu.parse("je cherche un logement")

    assert result["intent"]["name"] == "out_of_scope"
    assert embedded_calls(nlu) == ["je cherche un logement"]
    assert nlu.answered == {"rasa": 0, "embedded": 1}
    # which engine answered: at DEBUG (one line per message is not for INFO)
    assert [r.levelname for r in caplog.records if "engine=embedded" in r.message] == ["DEBUG"]
    assert "Rasa failed" in caplog.text
    assert "logement" not in caplog.text  # what the person wrote never reaches the logs
    assert fallbacks._value.get() == before + 1  # /metrics: assistant_nlu_fallbacks_total
    assert nlu.engine_name(result) == "embedded"


async def test_unreachable_server_falls_back(rasa: FakeRasa, clock: FrozenClock) -> None:
    await rasa.stop()
    service = RasaNluService(RasaClient(rasa.url, timeout_s=0.3), FakeEmbedded())  # type: ignore[arg-type]
    try:
        result = await service.parse("bonjour")
        assert result["intent"]["name"] == "out_of_scope"
        assert await service.client.healthy() is False
    finally:
        await service.close()


async def test_breaker_stops_calling_a_dead_rasa_then_probes_after_cooldown(
    rasa: FakeRasa, nlu: RasaNluService, clock: FrozenClock
) -> None:
    rasa.mode = "error"
    for _ in range(3):
        await nlu.parse("bus ?")
    assert nlu.breaker.state == "open"
    assert rasa.parse_requests() == 3

    for _ in range(5):
        await nlu.parse("bus ?")
    assert rasa.parse_requests() == 3, "an open breaker must not wait on Rasa"
    assert nlu.answered["embedded"] == 8

    clock.advance(seconds=31)
    rasa.mode = "ok"
    result = await nlu.parse("bus pour grande synthe ?")
    assert result["intent"]["name"] == "ask_transport"
    assert nlu.breaker.state == "closed"
    assert rasa.parse_requests() == 4


async def test_failed_probe_reopens_the_breaker(
    rasa: FakeRasa, nlu: RasaNluService, clock: FrozenClock
) -> None:
    rasa.mode = "error"
    for _ in range(3):
        await nlu.parse("bus ?")
    clock.advance(seconds=31)

    await nlu.parse("bus ?")  # the probe
    assert rasa.parse_requests() == 4
    assert nlu.breaker.state == "open"
    await nlu.parse("bus ?")
    assert rasa.parse_requests() == 4


def test_half_open_breaker_lets_a_single_probe_through(clock: FrozenClock) -> None:
    breaker = CircuitBreaker(failure_threshold=1, cooldown_s=10, clock=clock)
    breaker.record_failure()
    assert not breaker.allow()
    clock.advance(seconds=10)
    assert breaker.allow()
    assert not breaker.allow(), "a second concurrent message must not probe too"
    breaker.record_success()
    assert breaker.allow()


async def test_success_resets_the_failure_count(rasa: FakeRasa, nlu: RasaNluService) -> None:
    for mode in ["error", "error", "ok", "error", "error"]:
        rasa.mode = mode
        await nlu.parse("bus ?")
    assert nlu.breaker.state == "closed"


async def test_blank_text_is_not_sent_to_rasa(rasa: FakeRasa, nlu: RasaNluService) -> None:
    for text in ["", "   ", "\n\t"]:
        result = await nlu.parse(text)
        assert result["intent"]["name"] == "out_of_scope"
    assert rasa.parse_requests() == 0


@pytest.mark.parametrize(
    "text",
    ["x" * 10_000, "🙂🙂🙂", "مرحبا", "Привет", "a\x00b\x07c\x1b[0m", '"}{\\'],
)
async def test_awkward_text_travels_intact(rasa: FakeRasa, nlu: RasaNluService, text: str) -> None:
    result = await nlu.parse(text)

    assert result["text"] == text
    assert json.loads(rasa.requests[-1][3]) == {"text": text[:MAX_CHARS]}


async def test_status_and_health(
    rasa: FakeRasa, nlu: RasaNluService, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="nlu.rasa_client"):
        await nlu.start()
    assert "Rasa is up" in caplog.text
    assert (await nlu.client.status())["model_file"] == "nlu.tar.gz"
    rasa.mode = "error"
    assert await nlu.client.healthy() is False
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="nlu.rasa_client"):
        await nlu.start()
    assert "Rasa is not ready" in caplog.text


async def test_rasa_url_chooses_the_rasa_service() -> None:
    plain = build_nlu_service(load_settings(rasa_url=None))
    with_rasa = build_nlu_service(
        load_settings(rasa_url="http://127.0.0.1:5005/", rasa_token="t", rasa_timeout_s=1.5)
    )
    try:
        assert type(plain) is NluService
        assert isinstance(with_rasa, RasaNluService)
        assert with_rasa.client.base_url == "http://127.0.0.1:5005"
    finally:
        await with_rasa.close()


def test_merge_keeps_different_types_and_separate_spans() -> None:
    entities = [
        {"entity": "trade", "start": 0, "end": 6, "value": "soudeur", "extractor": "DIET"},
        {"entity": "date", "start": 0, "end": 6, "value": "x", "extractor": "DIETClassifier"},
        {
            "entity": "trade",
            "start": 10,
            "end": 15,
            "value": "cariste",
            "extractor": "RegexEntityExtractor",
        },
        {"entity": "trade", "start": 12, "end": 20, "value": "c", "extractor": "DIETClassifier"},
    ]

    merged = merge_entities(entities)

    assert [(e["entity"], e["value"]) for e in merged] == [
        ("date", "x"),
        ("trade", "soudeur"),
        ("trade", "cariste"),
    ]


@pytest.mark.parametrize(
    "payload",
    [
        [],
        {"intent": None},
        {"intent": {"name": None, "confidence": 0.0}},
        {"intent": {"name": "greet", "confidence": "high"}},
        {"intent": {"name": "greet", "confidence": 0.9}, "entities": [{"entity": "x"}]},
        {"intent": {"name": "nlu_fallback", "confidence": 0.4}, "intent_ranking": []},
    ],
)
async def test_unusable_answers_fall_back(
    rasa: FakeRasa, nlu: RasaNluService, payload: Any
) -> None:
    rasa.answer = lambda text: payload

    result = await nlu.parse("bonjour")

    assert result["intent"]["name"] == "out_of_scope"
    assert nlu.answered == {"rasa": 0, "embedded": 1}


def test_minimal_answer_gets_the_full_shape() -> None:
    result = normalise_parse({"intent": {"name": "greet", "confidence": 1}}, "slt")

    assert result == {
        "text": "slt",
        "intent": {"name": "greet", "confidence": 1.0},
        "entities": [],
        "intent_ranking": [{"name": "greet", "confidence": 1.0}],
    }


async def test_wiring_style_fallback_shares_the_embedded_engine(rasa: FakeRasa) -> None:
    embedded = NluService(FakeEmbedded())  # type: ignore[arg-type]
    nlu = FallbackNlu(RasaClient(rasa.url, token=TOKEN), embedded)
    try:
        assert nlu.embedded is embedded.embedded
        assert (await nlu.parse("bus pour grande synthe"))["intent"]["name"] == "ask_transport"
        rasa.mode = "error"
        assert (await nlu.parse("bus"))["intent"]["name"] == "out_of_scope"
    finally:
        await nlu.aclose()
