"""A definite refusal from Brevo (400, 402, 429: the request was refused, nothing left)
clears ``send_started_at``: the row is not asked about in Brevo's events later."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.context import AppContext
from app.sms import SmsParts
from core.clock import FrozenClock
from store.outbox import OutboxMessage
from tests.fakes.brevo_api import FakeBrevo, sms_event
from tests.scheduler.helpers import FakeChannel
from tests.sms.test_sms_once import a_relay, row_of
from tests.sms.test_sms_wired import a_counsellor, dispatch, post, sms_participant


@pytest.mark.parametrize(
    ("status", "code", "headers"),
    [
        (429, "too_many_requests", {"retry-after": "5"}),
        (402, "not_enough_credits", {}),
        (400, "invalid_parameter", {}),
    ],
)
async def test_a_definite_refusal_clears_send_started_at(
    wired: tuple[AppContext, SmsParts],
    brevo: FakeBrevo,
    clock: FrozenClock,
    status: int,
    code: str,
    headers: dict[str, str],
) -> None:
    context, _parts = wired
    row_id = a_relay(context, clock)
    brevo.fail_next.append((status, {"code": code, "message": "refused"}, headers))
    local = FakeChannel(name="local")
    await dispatch(context, local)
    row = row_of(context, row_id)
    assert row.send_started_at is None  # nothing left: no events query later
    if status == 400:
        assert row.status == "failed"
        return
    assert row.status == "pending"
    clock.advance_to(row.not_before)
    await dispatch(context, local)
    assert brevo.event_queries == []
    assert len(brevo.sent) == 1 and row_of(context, row_id).status == "sent"


@pytest.mark.parametrize("status", [429, 402])
async def test_a_refused_answer_to_an_inbound_sms_clears_send_started_at(
    wired: tuple[AppContext, SmsParts], brevo: FakeBrevo, clock: FrozenClock, status: int
) -> None:
    context, parts = wired
    with context.sessions() as session:
        sms_participant(session, a_counsellor(context), clock())
        session.commit()
    brevo.fail_next.append((status, {"code": "refused", "message": "?"}, {"retry-after": "5"}))
    assert await post(parts, sms_event("replied", 1, reply="/mesdonnees", ts_event=1)) == 200
    assert brevo.sent == []
    with context.sessions() as session:
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.rule == "reply")).one()
        session.expunge(row)
    assert row.status == "pending" and row.send_started_at is None
    clock.advance_to(max(row.not_before, clock()))
    if status == 402:  # after the pause
        clock.advance(hours=1, seconds=1)
    await dispatch(context, FakeChannel(name="local"))
    assert brevo.event_queries == []
    assert len(brevo.sent) == 1 and row_of(context, row.id).status == "sent"
