"""An SMS is never sent twice: ``send_started_at`` committed before Brevo is called, the tag
``outbox-<id>-<hash>``, and Brevo's events asked about a row that may have left."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import select

from app.context import AppContext
from app.sms import SmsParts
from core.clock import FrozenClock
from core.messages import Reply
from scheduler.dispatch.keyed import SETTLE, outbox_tag
from store.outbox import OutboxMessage, enqueue
from store.programme import Participant
from tests.fakes.brevo_api import FakeBrevo
from tests.scheduler.helpers import FakeChannel
from tests.sms.test_sms_wired import a_counsellor, dispatch, one_sms_participant, sms_participant


def a_relay(context: AppContext, clock: FrozenClock, text: str = "Message de Claire") -> int:
    """A counsellor's answer for an SMS participant, due now: the outbox row's id."""
    counsellor = a_counsellor(context)
    with context.sessions() as session:
        pid = sms_participant(session, counsellor, clock())
        person_id = session.get(Participant, pid).person_id  # type: ignore[union-attr]
        enqueue(
            session,
            key=f"relay:{person_id}:1",
            person_id=person_id,
            rule="relay",
            replies=[Reply(text=text)],
            not_before=clock(),
        )
        session.commit()
        return session.scalars(select(OutboxMessage.id)).one()


def row_of(context: AppContext, row_id: int) -> OutboxMessage:
    with context.sessions() as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        session.expunge(row)
        return row


async def test_each_sms_carries_the_outbox_tag_and_send_started_at_is_recorded(
    wired: tuple[AppContext, SmsParts], brevo: FakeBrevo, clock: FrozenClock
) -> None:
    context, _parts = wired
    row_id = a_relay(context, clock)
    local = FakeChannel(name="local")
    await dispatch(context, local)
    (sent,) = brevo.sent
    assert re.fullmatch(rf"outbox-{row_id}-[0-9a-f]{{8}}", sent["tag"])
    row = row_of(context, row_id)
    assert sent["tag"] == outbox_tag(row_id, row.idempotency_key)
    assert row.status == "sent" and row.send_started_at == clock()
    assert brevo.event_queries == []  # a first send asks nothing


async def test_an_sms_whose_answer_was_lost_is_found_in_brevo_events_and_not_sent_again(
    wired: tuple[AppContext, SmsParts], brevo: FakeBrevo, clock: FrozenClock
) -> None:
    context, _parts = wired
    row_id = a_relay(context, clock)
    brevo.lose_next = 1  # Brevo takes the SMS, then answers 500
    local = FakeChannel(name="local")
    await dispatch(context, local)
    assert len(brevo.sent) == 1
    row = row_of(context, row_id)
    assert row.status == "pending" and row.send_started_at == clock()
    clock.advance(seconds=30)  # the backoff is over, not the minute
    await dispatch(context, local)
    assert brevo.event_queries == [] and len(brevo.sent) == 1
    clock.advance(seconds=SETTLE)
    await dispatch(context, local)
    assert len(brevo.sent) == 1  # not twice
    (query,) = brevo.event_queries
    assert query["tags"] == outbox_tag(row_id, row.idempotency_key)
    assert row_of(context, row_id).status == "sent"


async def test_a_crash_before_brevo_sends_it_once_after_asking(
    wired: tuple[AppContext, SmsParts], brevo: FakeBrevo, clock: FrozenClock
) -> None:
    context, _parts = wired
    row_id = a_relay(context, clock)
    with context.sessions() as session:  # a dispatcher died between the mark and Brevo
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        row.status, row.claimed_by, row.claimed_at = "claimed", "dead:1", clock()
        row.send_started_at, row.attempts = clock(), 1
        session.commit()
    local = FakeChannel(name="local")
    clock.advance(seconds=61)  # the claim expired, the minute passed
    await dispatch(context, local)
    assert len(brevo.event_queries) == 1
    assert len(brevo.sent) == 1 and row_of(context, row_id).status == "sent"


async def test_nothing_is_sent_while_brevo_cannot_be_asked(
    wired: tuple[AppContext, SmsParts], brevo: FakeBrevo, clock: FrozenClock
) -> None:
    context, _parts = wired
    row_id = a_relay(context, clock)
    brevo.fail_next.append((502, {"code": "bad_gateway", "message": "?"}, {}))
    local = FakeChannel(name="local")
    await dispatch(context, local)
    assert brevo.sent == []
    brevo.events_down = True
    clock.advance(seconds=SETTLE + 1)
    await dispatch(context, local)
    assert brevo.sent == [] and len(brevo.event_queries) == 1
    row = row_of(context, row_id)
    assert row.status == "pending" and "not asked" in (row.last_error or "")
    assert row.not_before == clock() + timedelta(seconds=SETTLE)
    brevo.events_down = False
    clock.advance(seconds=SETTLE)
    await dispatch(context, local)
    assert len(brevo.event_queries) == 2  # asked again: not found, so sent once
    assert len(brevo.sent) == 1 and row_of(context, row_id).status == "sent"


async def test_telegram_like_channels_are_untouched(clock: FrozenClock) -> None:
    from core.ports import KeyedSending
    from sms.brevo import BrevoSms

    assert not isinstance(FakeChannel(name="telegram"), KeyedSending)
    assert isinstance(BrevoSms("key", "sender"), KeyedSending)


async def test_the_replies_to_an_inbound_sms_go_through_the_keyed_path(
    wired: tuple[AppContext, SmsParts], brevo: FakeBrevo, clock: FrozenClock
) -> None:
    from sqlalchemy import update

    from store.sms import SmsEvent
    from tests.fakes.brevo_api import sms_event
    from tests.sms.test_sms_wired import post

    context, parts = wired
    one_sms_participant(context, clock())
    brevo.lose_next = 1  # Brevo sends the answer, its 201 is lost
    event = sms_event("replied", 1, reply="/mesdonnees", ts_event=1)
    assert await post(parts, event) == 200
    assert len(brevo.sent) == 1
    with context.sessions() as session:
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.rule == "reply")).one()
        assert brevo.sent[0]["tag"] == outbox_tag(row.id, row.idempotency_key)
        assert (row.status, row.send_started_at) == ("pending", clock())
        # The event is processed again (a crash before it was marked done): nothing more.
        session.execute(update(SmsEvent).values(done_at=None, payload=json.dumps(event)))
        session.commit()
    await parts.inbound.drain()
    assert len(brevo.sent) == 1
    clock.advance(seconds=SETTLE)
    await dispatch(context, FakeChannel(name="local"))
    assert len(brevo.sent) == 1 and len(brevo.event_queries) == 1
    assert row_of(context, row.id).status == "sent"
