"""An SMS found in Brevo's events (its answer was lost) is recorded like a send of ours: its
delivery row (the event's messageId, the segments), so its reports and the week's cost see it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.context import AppContext
from app.sms import SmsParts
from core.clock import FrozenClock
from core.messages import Reply
from scheduler.dispatch.keyed import SETTLE, outbox_tag
from store import sms as sms_store
from store.sms import SmsDelivery
from tests.fakes.brevo_api import FakeBrevo, sms_event
from tests.scheduler.helpers import FakeChannel
from tests.sms.test_sms_once import a_relay, row_of
from tests.sms.test_sms_wired import dispatch, post


async def test_an_sms_found_in_brevo_events_gets_its_delivery_row(
    wired: tuple[AppContext, SmsParts], brevo: FakeBrevo, clock: FrozenClock
) -> None:
    context, parts = wired
    row_id = a_relay(context, clock)
    brevo.lose_next = 1  # Brevo takes the SMS, then answers 500: no delivery row yet
    local = FakeChannel(name="local")
    await dispatch(context, local)
    with context.sessions() as session:
        assert session.scalars(select(SmsDelivery)).all() == []
    clock.advance(seconds=SETTLE)
    await dispatch(context, local)
    assert len(brevo.sent) == 1 and row_of(context, row_id).status == "sent"
    message_id = int(brevo.events[0]["messageId"])
    with context.sessions() as session:
        (delivery,) = session.scalars(select(SmsDelivery)).all()
        assert (delivery.message_id, delivery.segments, delivery.state) == (
            message_id,
            1,
            "pending",
        )
        assert delivery.person_id == row_of(context, row_id).person_id
        week = sms_store.week_totals(session, clock() - timedelta(days=1), clock() + timedelta(1))
        assert week == (1, 1)  # the week's count and cost on the indicators
    # Its delivery report finds it.
    assert await post(parts, sms_event("delivered", message_id, ts_event=5)) == 200
    with context.sessions() as session:
        assert session.scalars(select(SmsDelivery.state)).one() == "sent"


async def test_a_delivery_row_is_written_once_when_found_after_being_recorded(
    wired: tuple[AppContext, SmsParts], clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    """A crash between Brevo's answer (delivery row written) and the outbox mark."""
    context, parts = wired
    row_id = a_relay(context, clock)
    tag = outbox_tag(row_id, row_of(context, row_id).idempotency_key)
    hello = [Reply(text="Message de Claire")]
    await parts.channel.send_keyed("+33612345678", hello, tag)
    assert await parts.channel.was_sent(tag, "+33612345678", hello)
    with context.sessions() as session:
        assert len(session.scalars(select(SmsDelivery)).all()) == 1
    assert "could not be recorded" not in caplog.text
