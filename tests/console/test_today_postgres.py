"""« Aujourd'hui », the queue, the day list and the caseload on PostgreSQL (the production
database): distress, a waiting conversation, a programme task and today's appointment, read
and acted on through the console. Its own database is created and dropped around the test."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from capabilities.assistant.assistant import Assistant
from capabilities.programme.enrolment import enrol
from capabilities.programme.planning import plan
from capabilities.programme.rules import default_rules
from console.live_integrations import LiveIntegrations
from core.clock import FrozenClock
from store.appointments import Booking
from store.models import Conversation
from store.programme import CounsellorTask
from tests.appointments.test_flow import book_info_tuesday_14h, nlu  # noqa: F401
from tests.chat import Chat, FakeNlu
from tests.console.conftest import post, sign_in
from tests.pg import temporary_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def database_url() -> Iterator[str]:
    """A fresh PostgreSQL database instead of the SQLite file (migrated by the context)."""
    with temporary_database("console_today") as url:
        yield url


@pytest.fixture
def integrations(clock: FrozenClock) -> LiveIntegrations:
    """The real appointments and programme queries, not the console's fakes."""
    return LiveIntegrations(clock=clock, username="Emplois20000Bot")


def _rows(html: str, section: str) -> list[str]:
    found = re.search(rf'id="{section}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert found, f"no table in #{section}"
    return re.findall(r"<tr.*?</tr>", found.group(1), re.S)


async def test_today_queue_and_day_run_on_postgresql(
    assistant: Assistant,
    client: TestClient,
    clock: FrozenClock,
    add_staff: Callable[..., int],
    nlu: FakeNlu,  # noqa: F811
) -> None:
    assert assistant.sessions.kw["bind"].dialect.name == "postgresql"
    karim = add_staff("Karim Benali", "karim@example.org")
    with assistant.sessions() as session:
        enrol(
            session,
            name="Marc Lefebvre",
            orientation_on=date(2026, 11, 24) - timedelta(days=40),
            counsellor_id=karim,
            now=clock(),
            username="Emplois20000Bot",
        )
        session.commit()
        plan(session, clock(), default_rules())
        session.commit()
        assert session.scalars(select(CounsellorTask)).first() is not None
    waiting = Chat(assistant, user="u-wait", display_name="Léa")
    await waiting.consent()
    await waiting.say("je veux un conseiller")
    clock.advance(minutes=20)
    street = Chat(assistant, user="u-street", display_name="")
    await street.say("jdors dehors depuis 3 jours avec mon chien")
    assert "115" in street.text
    booker = Chat(assistant, user="u-book", display_name="Nora")
    await booker.consent()
    await book_info_tuesday_14h(booker)

    assert sign_in(client, "karim@example.org") == 303
    today = client.get("/")
    assert today.status_code == 200
    queue = _rows(today.text, "file")
    assert len(queue) == 2
    assert "Détresse" in queue[0] and "jdors dehors" in queue[0]  # distress first
    assert "Léa" in queue[1] and "20 min" in queue[1]  # then the oldest waiting, with its wait
    tasks = _rows(today.text, "taches")
    assert any("Marc Lefebvre" in row for row in tasks)
    assert "14 h 00" in today.text and "Nora" in today.text
    for url in ("/queue", "/day", "/caseload", "/indicators"):
        assert client.get(url).status_code == 200, url
    assert "Marc Lefebvre" in client.get("/caseload").text

    # Acting from the page works there too: take the distress, close a task, mark attendance.
    with assistant.sessions() as session:
        distressed = session.scalars(
            select(Conversation)
            .where(Conversation.handoff == "waiting")
            .order_by(Conversation.handoff_at.desc())
        ).first()
        task = session.scalars(
            select(CounsellorTask).where(CounsellorTask.done_at.is_(None))
        ).first()
        booking = session.scalars(select(Booking)).one()
    assert distressed is not None and task is not None
    assert post(client, f"/conversations/{distressed.person_id}/take") == 303
    assert post(client, f"/tasks/{task.id}/done") == 303
    clock.advance(hours=5)  # 15:20 in Paris: the 14:00 appointment can be marked
    assert sign_in(client, "karim@example.org") == 303
    assert post(client, f"/appointments/{booking.id}/attendance", {"status": "seen"}, "/day") == 303
    with assistant.sessions() as session:
        assert session.get(Conversation, distressed.person_id).handoff == "human"  # type: ignore[union-attr]
        assert session.get(CounsellorTask, task.id).done_at is not None  # type: ignore[union-attr]
        assert session.get(Booking, booking.id).attendance == "seen"  # type: ignore[union-attr]
