"""Console benchmark: page times with 150 participants and 20,000 logged messages, and the
time from a counsellor's reply to the fake Bot API's ``sendMessage``.

``python -m bench.console`` prints p50/p95 per page (target p95 ≤ 100 ms) and the reply
latency (target ≤ 1 s). SQLite file database, in-process HTTP (Starlette TestClient) for
pages; a live uvicorn console + fake Bot API for the reply latency.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from console.app import create_app
from console.integrations import CaseloadRow, NoIntegrations
from console.web import ConsoleState
from core.settings import load_settings
from store.models import ChannelAccount, Conversation, HandoffRequest, MessageLog, Person
from tests.console.live import PASSWORD, live_console

PEOPLE = 150
MESSAGES = 20_000
WAITING = 30
ROUNDS = 60
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class BenchIntegrations(NoIntegrations):
    """Every person is a participant of counsellor 1 (the caseload page lists 150 rows)."""

    def caseload(self, session: Session, staff_id: int | None) -> list[CaseloadRow]:
        return [
            CaseloadRow(pid, f"Participant {pid}", 1, overdue=pid % 7 == 0, weekly_contact="ok")
            for pid in range(1, PEOPLE + 1)
        ]


def seed(sessions: object, now: datetime) -> None:
    """150 people (30 waiting), 20,000 messages spread over eight weeks."""
    per_person = MESSAGES // PEOPLE
    with sessions() as session:  # type: ignore[operator]
        for index in range(1, PEOPLE + 1):
            person = Person(consent="given", consent_at=now, display_name=f"Personne {index}")
            session.add(person)
            session.flush()
            session.add(
                ChannelAccount(
                    person_id=person.id, channel="telegram", external_ref=str(500_000 + index)
                )
            )
            waiting = index <= WAITING
            session.add(
                Conversation(
                    person_id=person.id,
                    data={},
                    handoff="waiting" if waiting else "bot",
                    handoff_at=now - timedelta(minutes=index),
                )
            )
            if waiting:
                session.add(HandoffRequest(person_id=person.id, reason="asked", created_at=now))
            extra = MESSAGES - per_person * PEOPLE if index == 1 else 0
            session.add_all(
                MessageLog(
                    person_id=person.id,
                    created_at=now - timedelta(minutes=5 * (per_person + extra - m)),
                    direction="in" if m % 2 == 0 else "out",
                    author="person" if m % 2 == 0 else "bot",
                    channel="telegram",
                    kind="text",
                    text=f"message {m} de la personne {index}",
                    intent="ask_transport" if m % 2 == 0 else None,
                    confidence=0.8 if m % 2 == 0 else None,
                )
                for m in range(per_person + extra)
            )
        session.commit()


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0–1) of the values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def sign_in(client: httpx.Client | TestClient, email: str) -> None:
    token = CSRF.search(client.get("/login").text)
    assert token
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf": token.group(1)}
    )
    assert response.status_code in (200, 303), response.status_code


def main() -> int:
    now = datetime.now(UTC)
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        with live_console(url, integrations=BenchIntegrations()) as live:
            live.add_staff("Admin", "admin@example.org", role="admin")
            started = time.perf_counter()
            seed(live.sessions, now)
            took = time.perf_counter() - started
            print(f"seeded {PEOPLE} people, {MESSAGES} messages in {took:.1f} s")
            settings = load_settings(database_url=url, console_secret_key="bench")
            state = ConsoleState(
                sessions=live.sessions, settings=settings, integrations=BenchIntegrations()
            )
            with TestClient(create_app(state), base_url="http://127.0.0.1") as client:
                sign_in(client, "admin@example.org")
                pages = {"queue": "/", "conversation": "/conversations/2", "caseload": "/caseload"}
                for name, path in pages.items():
                    client.get(path)  # warm up (templates compiled, caches filled)
                    times = []
                    for _ in range(ROUNDS):
                        t0 = time.perf_counter()
                        response = client.get(path)
                        times.append((time.perf_counter() - t0) * 1000)
                        assert response.status_code == 200
                    p95 = percentile(times, 0.95)
                    ok = p95 <= 100
                    failures += not ok
                    print(
                        f"{name:13s} p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms"
                        f"  ({len(response.content) // 1024} KiB)"
                        f"  {'OK' if ok else 'SLOW'} (≤ 100 ms)"
                    )
            # reply → fake sendMessage, through the live console (uvicorn) and the relay sender
            assert live.fake is not None
            latencies = []
            with httpx.Client(base_url=live.url, follow_redirects=False) as browser:
                sign_in(browser, "admin@example.org")
                for index in range(1, 21):
                    person = index
                    page = browser.get(f"/conversations/{person}").text
                    token = CSRF.search(page)
                    assert token
                    text = f"Réponse de test {index}"
                    t0 = time.perf_counter()
                    browser.post(
                        f"/conversations/{person}/reply",
                        data={"text": text, "csrf": token.group(1)},
                    )
                    live.run(live.fake.wait_for_text(500_000 + person, text))
                    latencies.append((time.perf_counter() - t0) * 1000)
            worst = max(latencies)
            ok = worst <= 1000
            failures += not ok
            print(
                f"reply → sendMessage  p50 {statistics.median(latencies):6.1f} ms  "
                f"p95 {percentile(latencies, 0.95):6.1f} ms  max {worst:6.1f} ms  "
                f"{'OK' if ok else 'SLOW'} (≤ 1000 ms)"
            )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
