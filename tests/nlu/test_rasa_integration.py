"""A real Rasa 3.6.21 server, trained on nlu/data, parsing through the bot's own client.

Slow the first time on a machine (the Rasa venv is installed under .cache/, about 3 minutes,
then the model trains in about a minute); later runs reuse both and take about a minute.
Skipped only when the machine has no Python 3.10; any other Rasa failure fails the suite.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from nlu import rasa_env, rasa_server
from nlu.evaluate import score
from nlu.rasa_client import CircuitBreaker, RasaClient, RasaError, RasaNluService
from nlu.trainingdata import load_file

pytestmark = [pytest.mark.rasa, pytest.mark.slow, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
HELD_OUT = ROOT / "tests" / "nlu" / "test_data.yml"


@pytest.fixture(scope="module")
def server() -> Iterator[rasa_server.RasaServer]:
    try:
        rasa_env.ensure_venv(quiet=True)
    except rasa_env.RasaUnavailable as exc:
        pytest.skip(f"Rasa integration test skipped: {exc}")
    model = rasa_env.train(quiet=True)
    # A token may begin with "-" (one in 64 of token_urlsafe's): this one always does, so the
    # command line must keep it a value, not an option (it once failed CI at random).
    token = "-" + secrets.token_urlsafe(16)
    server = rasa_server.RasaServer(model, rasa_server.free_port(), token)
    try:
        server.start()
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture
async def nlu(server: rasa_server.RasaServer) -> AsyncIterator[RasaNluService]:
    service = RasaNluService(
        RasaClient(server.url, token=server.token, timeout_s=10.0),
        breaker=CircuitBreaker(failure_threshold=1000),
    )
    try:
        await service.start()
        yield service
    finally:
        await service.close()


async def test_the_bot_understands_a_message_through_rasa(nlu: RasaNluService) -> None:
    assert await nlu.client.healthy()

    result = await nlu.parse("bonjour, y a t il un bus pour aller a grande synthe demain ?")

    assert nlu.answered == {"rasa": 1, "embedded": 0}
    assert nlu.engine_name(result) == "rasa"
    assert result["intent"]["name"] == "ask_transport"
    assert result["intent_ranking"][0] == result["intent"]
    communes = [e for e in result["entities"] if e["entity"] == "commune"]
    assert [e["value"] for e in communes] == ["Grande-Synthe"], "one entity, canonical value"
    dates = [e["value"] for e in result["entities"] if e["entity"] == "date"]
    assert len(dates) == 1
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", dates[0]), "ISO date from the French parser"


async def test_awkward_messages_get_an_answer(nlu: RasaNluService) -> None:
    for text in ["🙂🙂", "Привет как дела", "a\x00\x07b", "x" * 4000]:
        result = await nlu.parse(text)
        assert isinstance(result["intent"]["name"], str)
    assert nlu.answered["embedded"] == 0, "Rasa answers odd text itself"


async def test_a_wrong_token_is_refused(server: rasa_server.RasaServer) -> None:
    client = RasaClient(server.url, token="not-the-token", timeout_s=10.0)
    try:
        with pytest.raises(RasaError, match="HTTP 401"):
            await client.parse("bonjour")
    finally:
        await client.aclose()


async def test_held_out_evaluation_through_rasa(nlu: RasaNluService) -> None:
    examples = load_file(HELD_OUT).examples
    predicted = [(await nlu.parse(e.text))["intent"]["name"] for e in examples]

    report = score([e.intent for e in examples], predicted)

    print(f"Rasa held-out over HTTP: {report['accuracy']:.3f} acc, {report['macro_f1']:.3f} F1")
    assert len(examples) >= 240
    # A floor that catches a broken model or pipeline; the measured value is in docs/nlu.md.
    assert report["accuracy"] >= 0.75
    assert report["macro_f1"] >= 0.70


def test_rasa_data_validate_passes(server: rasa_server.RasaServer) -> None:
    warnings = rasa_env.validate()

    assert warnings, "the log is read: Rasa always warns that intents are not in stories"
    assert rasa_env.unexpected_warnings(warnings) == []
