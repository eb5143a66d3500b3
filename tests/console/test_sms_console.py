"""A hard bounce stops a person's SMS (one alert, later rows kept as failed with why); the
console shows it and « Reprendre les SMS » resumes; the console changes the mobile number."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from app.context import AppContext
from app.sms import SmsParts, wire_sms
from capabilities.assistant.assistant import Assistant
from capabilities.programme.rules import default_rules
from console.live_integrations import LiveIntegrations
from core.clock import FrozenClock
from core.messages import Reply
from core.settings import Settings
from scheduler.dispatch import Dispatcher
from store.console_models import AuditEntry
from store.models import ChannelAccount
from store.outbox import OutboxMessage, enqueue
from store.programme import CounsellorTask, Participant
from store.sms import SmsDelivery
from tests.console.conftest import csrf_of, post, sign_in
from tests.fakes.brevo_api import FakeBrevo, sms_event
from tests.fakes.brevo_settings import SECRET, brevo_settings

RULES = default_rules()


@pytest.fixture
def settings(database_url: str, brevo: FakeBrevo) -> Settings:
    return brevo_settings(database_url, brevo.base_url)


@pytest.fixture
def integrations(clock: FrozenClock) -> LiveIntegrations:
    return LiveIntegrations(clock=clock, username="Emplois20000Bot")


async def hook(parts: SmsParts, event: dict[str, object]) -> None:
    async def nothing(scope: object, receive: object, send: object) -> None:
        raise AssertionError("not the console")

    transport = httpx.ASGITransport(app=parts.webhook.mount(nothing))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://x") as web:
        answer = await web.post(f"/sms/brevo/{SECRET}", content=json.dumps(event).encode())
    assert answer.status_code == 200
    await parts.inbound.drain()


def relay(assistant: Assistant, person_id: int, n: int, clock: FrozenClock) -> None:
    with assistant.sessions() as session:
        enqueue(
            session,
            key=f"relay:{person_id}:{n}",
            person_id=person_id,
            rule="relay",
            replies=[Reply(text=f"Message {n} de Claire")],
            not_before=clock(),
        )
        session.commit()


async def dispatch(context: AppContext, assistant: Assistant, clock: FrozenClock) -> None:
    dispatcher = Dispatcher(
        assistant.sessions, {"sms": context.channels["sms"]}, RULES, clock=clock
    )
    while await dispatcher.drain_once():
        pass
    await dispatcher.close()


@pytest.fixture
async def enrolled(
    context: AppContext,
    assistant: Assistant,
    client: TestClient,
    add_staff: Callable[..., int],
) -> AsyncIterator[tuple[SmsParts, int, int]]:
    """Claire signed in, Karim enrolled by SMS: (parts, participant id, person id)."""
    parts = wire_sms(context)
    assert parts is not None
    await context.start()
    claire = add_staff("Claire Martin", "claire@example.org")
    assert sign_in(client, "claire@example.org") == 303
    form = {"label": "Karim Haddad", "channel": "sms", "phone": "06 12 34 56 78"}
    form |= {"orientation_on": "2026-11-20", "referent": str(claire)}
    assert post(client, "/caseload/enrol", form, page="/caseload") == 303
    with assistant.sessions() as session:
        participant = session.scalars(select(Participant)).one()
        assert participant.person_id is not None
        yield parts, participant.id, participant.person_id


def sms_account(assistant: Assistant) -> ChannelAccount:
    with assistant.sessions() as session:
        account = session.scalars(select(ChannelAccount)).one()
        session.expunge(account)
        return account


async def test_a_hard_bounce_stops_the_sms_once_and_the_console_resumes_them(
    context: AppContext,
    assistant: Assistant,
    client: TestClient,
    brevo: FakeBrevo,
    clock: FrozenClock,
    enrolled: tuple[SmsParts, int, int],
) -> None:
    parts, participant_id, person_id = enrolled
    relay(assistant, person_id, 1, clock)
    await dispatch(context, assistant, clock)
    assert len(brevo.sent) == 1
    with assistant.sessions() as session:
        message_id = session.scalars(select(SmsDelivery.message_id)).one()
    # The bounce, delivered twice (a second time with another date: not the same event).
    for when in (1, 2):
        bounce = sms_event("hard_bounce", message_id, ts_event=when, description="Unknown number")
        await hook(parts, bounce)
    account = sms_account(assistant)
    assert account.unreachable_at is not None and "hard_bounce" in (
        account.unreachable_reason or ""
    )
    with assistant.sessions() as session:
        tasks = session.scalars(
            select(CounsellorTask).where(CounsellorTask.rule == "participant_unreachable")
        ).all()
        assert len(tasks) == 1 and "SMS" in tasks[0].reason
    # Later rows: kept as failed, with a plain French reason, not sent, not retried.
    relay(assistant, person_id, 2, clock)
    await dispatch(context, assistant, clock)
    clock.advance(minutes=5)
    await dispatch(context, assistant, clock)
    assert len(brevo.sent) == 1
    with assistant.sessions() as session:
        row = session.scalars(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.endswith(":2"))
        ).one()
        assert row.status == "failed" and "SMS arrêtés" in (row.last_error or "")
    # The console shows it on both pages, with the button.
    for page in (f"/participants/{participant_id}", f"/conversations/{person_id}"):
        html = client.get(page).text
        assert "Les SMS sont arrêtés pour cette personne" in html, page
        assert "Reprendre les SMS" in html and "Unknown number" in html
    # No CSRF token: refused, nothing changes.
    refused = client.post(
        f"/participants/{participant_id}/sms/resume", data={}, follow_redirects=False
    )
    assert refused.status_code == 403 and sms_account(assistant).unreachable_at is not None
    url = f"/conversations/{person_id}/sms/resume"
    assert post(client, url, page=f"/conversations/{person_id}") == 303
    assert sms_account(assistant).unreachable_at is None
    assert "Les SMS sont arrêtés" not in client.get(f"/participants/{participant_id}").text
    with assistant.sessions() as session:
        actions = [a.action for a in session.scalars(select(AuditEntry))]
        assert "sms_resume" in actions
    relay(assistant, person_id, 3, clock)
    await dispatch(context, assistant, clock)
    assert len(brevo.sent) == 2  # SMS go again


async def test_the_console_changes_the_mobile_number(
    assistant: Assistant,
    client: TestClient,
    clock: FrozenClock,
    enrolled: tuple[SmsParts, int, int],
) -> None:
    _parts, participant_id, person_id = enrolled
    page = f"/participants/{participant_id}"
    assert "+33 6 •• •• •• 78" in client.get(page).text
    with assistant.sessions() as session:  # it bounced before
        account = session.scalars(select(ChannelAccount)).one()
        account.unreachable_at, account.unreachable_reason = clock() - timedelta(days=1), "x"
        session.commit()
    token = csrf_of(client.get(page).text)
    bad = client.post(f"{page}/sms/number", data={"phone": "03 28 12 34 56", "csrf": token})
    assert bad.status_code == 400
    assert "numéro fixe" in bad.text and 'value="03 28 12 34 56"' in bad.text
    assert sms_account(assistant).external_ref == "+33612345678"  # nothing changed
    nothing = client.post(f"{page}/sms/number", data={"phone": "07 81", "csrf": token})
    assert nothing.status_code == 400 and sms_account(assistant).external_ref == "+33612345678"
    assert post(client, f"{page}/sms/number", {"phone": "07 81 23 45 67"}, page=page) == 303
    account = sms_account(assistant)
    assert account.external_ref == "+33781234567" and account.unreachable_at is None
    assert "changé" in client.get(page).text
    with assistant.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "sms_number")).one()
        assert "78" in entry.target and "67" in entry.target and "612345678" not in entry.target
        assert entry.person_id == person_id


def test_every_console_page_shows_the_sms_pause_with_the_paris_time(
    assistant: Assistant, client: TestClient, add_staff: Callable[..., int], clock: FrozenClock
) -> None:
    from store import channel_pauses

    add_staff("Claire Martin", "claire@example.org")
    assert sign_in(client, "claire@example.org") == 303
    banner = "Les SMS sont en pause : plus de crédit chez Brevo. Reprise prévue à 11:00."
    assert banner not in client.get("/").text
    with assistant.sessions() as session:  # stored by the dispatcher of any replica
        until = clock() + timedelta(hours=1)  # 10:00 UTC is 11:00 in Paris in November
        channel_pauses.pause(session, "sms", until, "Brevo 402", clock())
        session.commit()
    for page in ("/", "/queue", "/caseload", "/day", "/indicators", "/account"):
        assert banner in client.get(page).text, page
    clock.advance(hours=1, seconds=1)
    assert banner not in client.get("/").text
