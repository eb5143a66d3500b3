"""What the IT person sees of ``python -m bot`` running: ``/healthz``, ``/readyz`` and
``/metrics`` on the console's port, and the JSON log lines of a conversation — with the
turns in this process or in the child process (``ASSISTANT_PROCESS=1``).

A person gives their name, phone number and address: none of it may appear in the logs,
at DEBUG, in either process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.build import build_context
from app.serve import serve_context
from core.logs import configure_logging
from core.metrics import disable_multiprocess
from core.settings import Settings, load_settings
from tests.fakes.telegram_api import FakeTelegramApi

CHAT = 66601
TOKEN = "metrics-token-for-the-test"
PERSONAL = (
    "Je suis Fatima Benali, mon numéro est le 06 12 34 56 78, "
    "j'habite 12 rue des Fusillés-Marins à Dunkerque"
)
NEVER_LOGGED = ("Fatima", "Benali", "06 12 34 56 78", "0612345678", "Fusillés", "rue des", "+33699")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def sample(text: str, name: str, **labels: str) -> float:
    """The sum of the samples of ``name`` whose labels include ``labels``."""
    total = 0.0
    for line in text.splitlines():
        match = re.match(r"^([a-zA-Z_:]+)(\{[^}]*\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if all(found.get(key) == value for key, value in labels.items()):
            total += float(match.group(3))
    return total


def moved(before: str, after: str, name: str, **labels: str) -> float:
    """How much a counter grew (other tests in this process may have counted before)."""
    return sample(after, name, **labels) - sample(before, name, **labels)


async def get(client: httpx.AsyncClient, url: str, **kwargs: object) -> httpx.Response:
    for _ in range(100):
        with contextlib.suppress(httpx.TransportError):
            return await client.get(url, **kwargs)  # type: ignore[arg-type]
        await asyncio.sleep(0.1)
    raise AssertionError(f"nothing answers at {url}")


async def wait_sent(fake: FakeTelegramApi, count: int) -> None:
    await fake.wait_for("sendMessage", count, timeout=20)


@pytest.mark.usefixtures("restore_logging")
@pytest.mark.parametrize("assistant_process", [False, True], ids=["one-process", "child"])
async def test_health_metrics_and_logs_of_a_running_bot(
    tmp_path: Path, assistant_process: bool, capfd: pytest.CaptureFixture[str]
) -> None:
    fake = FakeTelegramApi()
    await fake.start()
    port = free_port()
    settings: Settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'ops.db'}",
        telegram_bot_token=fake.token,
        telegram_api_url=fake.base_url,
        console_port=port,
        console_secret_key="test-secret-key-for-ops",
        assistant_process=assistant_process,
        metrics_token=TOKEN,
        log_level="DEBUG",
        log_format="json",
    )
    configure_logging(settings)
    context = build_context(settings)
    stop = asyncio.Event()
    task = asyncio.create_task(serve_context(context, stop))
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            health = await get(client, f"{base}/healthz")
            assert health.status_code == 200
            assert health.json() == {"status": "ok"}

            ready = await get(client, f"{base}/readyz")
            assert ready.status_code == 200, ready.text
            checks = ready.json()["checks"]
            assert ready.json()["status"] == "ok"
            assert checks["database"]["status"] == "ok"
            assert checks["nlu"]["status"] == "ok"
            assert checks["rasa"]["status"] == "off"  # RASA_URL not set: embedded alone
            assert checks["telegram"]["status"] == "ok"

            refused = await get(client, f"{base}/metrics")
            assert refused.status_code == 401
            wrong = await get(client, f"{base}/metrics", headers={"Authorization": "Bearer no"})
            assert wrong.status_code == 401
            auth = {"Authorization": f"Bearer {TOKEN}"}
            before = (await get(client, f"{base}/metrics", headers=auth)).text

            fake.push_command(CHAT, "/start", first_name="Fatima")
            await fake.wait_for_text(CHAT, "Bonjour et bienvenue", timeout=30)
            fake.push_callback(CHAT, "consent:yes")
            await wait_sent(fake, 2)
            sent = len(fake.calls_of("sendMessage"))
            fake.push_text(CHAT, PERSONAL, first_name="Fatima")
            await wait_sent(fake, sent + 1)
            sent = len(fake.calls_of("sendMessage"))
            fake.push_contact(CHAT, first_name="Fatima")
            await wait_sent(fake, sent + 1)

            for _ in range(200):  # the last turns may still be running
                response = await get(client, f"{base}/metrics", headers=auth)
                assert response.status_code == 200
                after = response.text
                if moved(before, after, "assistant_updates_total") >= 4:
                    break
                await asyncio.sleep(0.1)
            assert response.headers["content-type"].startswith("text/plain")
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        await context.aclose()
        await fake.stop()
        if assistant_process:
            disable_multiprocess(remove=True)

    # the counters moved, whichever process ran the turns
    assert moved(before, after, "assistant_updates_total", channel="telegram", kind="command") == 1
    assert moved(before, after, "assistant_updates_total", channel="telegram", kind="button") == 1
    assert moved(before, after, "assistant_updates_total", channel="telegram") == 4
    assert moved(before, after, "assistant_turn_seconds_count", channel="telegram") == 4
    assert moved(before, after, "assistant_nlu_parses_total", engine="embedded") >= 1
    assert moved(before, after, "assistant_sends_total", source="reply", outcome="sent") >= 4
    assert sample(after, "assistant_metrics_database_up") == 1
    assert sample(after, "assistant_handoff_waiting") >= 0
    assert "assistant_outbox_oldest_due_seconds" in after
    assert sample(after, "assistant_check_up", check="database") == 1

    logs = capfd.readouterr().err
    for secret in (*NEVER_LOGGED, fake.token, TOKEN):
        assert secret not in logs, f"{secret!r} reached the logs"
    turns = [
        line
        for line in (json.loads(raw) for raw in logs.splitlines() if raw.startswith("{"))
        if line.get("message", "").startswith("turn ")
    ]
    assert len(turns) == 4, logs[-2000:]
    for line in turns:
        assert line["level"] == "DEBUG"
        assert isinstance(line["update_id"], int)
        assert re.fullmatch(r"p-[0-9a-f]{12}", line["person"])
        assert line["person"] != str(CHAT)
        assert line["duration_ms"] >= 0
    assert len({line["person"] for line in turns}) == 1  # one person, followed across turns
