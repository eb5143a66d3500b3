"""No credit (Brevo 402): SMS pause, stored in ``channel_pauses`` so every replica and a
restart see it; ``/readyz`` reports it; the rows wait and go after the pause."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.context import AppContext
from app.sms import SmsParts
from capabilities.programme.rules import default_rules
from core.clock import FrozenClock
from scheduler.dispatch import Dispatcher
from sms.brevo import NO_CREDIT_PAUSE, BrevoSms
from store import channel_pauses
from store.outbox import OutboxMessage
from tests.fakes.brevo_api import API_KEY, FakeBrevo
from tests.sms.test_sms_once import a_relay

RULES = default_rules()


@pytest.fixture
async def replica(brevo: FakeBrevo) -> AsyncIterator[BrevoSms]:
    """The SMS channel of another replica (or of this one after a restart): not paused."""
    channel = BrevoSms(API_KEY, "20000emploi", base_url=brevo.base_url)
    await channel.start()
    yield channel
    await channel.stop()


async def drain(context: AppContext, channel: Any, clock: FrozenClock) -> None:
    dispatcher = Dispatcher(context.sessions, {"sms": channel}, RULES, clock=clock, offload=False)
    while await dispatcher.drain_once():
        pass
    await dispatcher.close()


async def readyz(context: AppContext) -> dict[str, Any]:
    from starlette.applications import Starlette

    from app.ops import context_routes

    app = Starlette(routes=context_routes(context))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        return dict((await client.get("/readyz")).json()["checks"]["sms"])


async def test_no_credit_pauses_sms_for_every_replica_and_the_rows_go_afterwards(
    wired: tuple[AppContext, SmsParts], brevo: FakeBrevo, clock: FrozenClock, replica: BrevoSms
) -> None:
    context, parts = wired
    row_id = a_relay(context, clock)
    brevo.fail_next.append((402, {"code": "not_enough_credits", "message": "No credits"}, {}))
    await drain(context, parts.channel, clock)
    until = clock() + timedelta(seconds=NO_CREDIT_PAUSE)
    with context.sessions() as session:
        assert channel_pauses.active(session, clock()) == {"sms": until}
        row = session.get(OutboxMessage, row_id)
        assert row is not None and (row.status, row.not_before) == ("pending", until)
    parts.channel.paused_until = 0.0  # a restart: this process forgot; the database did not
    state = await readyz(context)
    assert state["status"] == "degraded" and "no SMS credits" in state["detail"]
    assert "2026-11-24T10:00Z" in state["detail"]
    # Another replica sends nothing while the pause lasts, even a row due now.
    a_second = a_relay_for_same_person(context, clock)
    await drain(context, replica, clock)
    clock.advance(minutes=59)
    await drain(context, replica, clock)
    assert brevo.sent == []
    with context.sessions() as session:
        second = session.get(OutboxMessage, a_second)
        assert second is not None and second.status == "pending" and second.not_before == until
    # After the pause: both go, nothing lost.
    clock.advance(minutes=2)
    await drain(context, replica, clock)
    assert len(brevo.sent) == 2
    with context.sessions() as session:
        statuses = set(session.scalars(select(OutboxMessage.status)))
        assert statuses == {"sent"}
        assert channel_pauses.active(session, clock()) == {}
    assert (await readyz(context))["status"] == "ok"


def a_relay_for_same_person(context: AppContext, clock: FrozenClock) -> int:
    from core.messages import Reply
    from store.outbox import enqueue

    with context.sessions() as session:
        person_id = session.scalars(select(OutboxMessage.person_id)).first()
        enqueue(
            session,
            key=f"relay:{person_id}:2",
            person_id=person_id,
            rule="relay",
            replies=[Reply(text="Deuxième message")],
            not_before=clock(),
        )
        session.commit()
        return max(session.scalars(select(OutboxMessage.id)))


def test_two_pauses_keep_the_later_end(context: AppContext, clock: FrozenClock) -> None:
    with context.sessions() as session, session.begin():
        channel_pauses.pause(session, "sms", clock() + timedelta(hours=1), "a", clock())
        channel_pauses.pause(session, "sms", clock() + timedelta(minutes=5), "b", clock())
    with context.sessions() as session, session.begin():
        assert channel_pauses.active(session, clock()) == {"sms": clock() + timedelta(hours=1)}
        channel_pauses.pause(session, "sms", clock() + timedelta(hours=2), "c", clock())
    with context.sessions() as session:
        assert channel_pauses.active(session, clock()) == {"sms": clock() + timedelta(hours=2)}


async def test_an_early_end_lets_the_process_that_got_the_402_send_at_once(
    wired: tuple[AppContext, SmsParts], brevo: FakeBrevo, clock: FrozenClock
) -> None:
    """The console ends the pause (credits bought): the very channel that got the 402 sends
    the rows that waited right away, and /readyz says ok."""
    context, parts = wired
    a_relay(context, clock)
    brevo.fail_next.append((402, {"code": "not_enough_credits", "message": "No credits"}, {}))
    await drain(context, parts.channel, clock)
    a_relay_for_same_person(context, clock)
    await drain(context, parts.channel, clock)
    assert brevo.sent == [] and parts.channel.paused
    clock.advance(minutes=5)
    with context.sessions() as session, session.begin():
        assert channel_pauses.end_early(session, "sms", clock()) is not None
    await drain(context, parts.channel, clock)
    assert len(brevo.sent) == 2  # not an hour later
    with context.sessions() as session:
        assert set(session.scalars(select(OutboxMessage.status))) == {"sent"}
    assert (await readyz(context))["status"] == "ok"
