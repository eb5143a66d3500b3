"""The first-reply indicator counts only replies a channel could deliver."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from capabilities.assistant.assistant import Assistant
from capabilities.conversation import indicators
from capabilities.handoff.state import counsellor_reply
from store.db import Session
from store.models import Conversation, HandoffRequest, Person
from store.outbox import OutboxMessage

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)  # a Thursday


def _asked(session: Session, name: str, at: datetime) -> Conversation:
    person = Person(display_name=name)
    session.add(person)
    session.flush()
    conversation = Conversation(person_id=person.id, handoff="waiting", handoff_at=at)
    session.add(conversation)
    session.add(HandoffRequest(person_id=person.id, created_at=at, reason="asked"))
    session.flush()
    return conversation


def _mark(session: Session, message_id: int, status: str) -> None:
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.idempotency_key == f"relay:{message_id}")
        .values(status=status)
    )


def test_a_reply_no_channel_delivered_is_not_a_first_reply(assistant: Assistant) -> None:
    asked = NOW - timedelta(hours=3)
    with assistant.sessions() as session:
        local = _asked(session, "Léa", asked)
        # Answered after 10 minutes, but in local mode: nobody could receive it.
        lost = counsellor_reply(
            session,
            local,
            "Bonjour",
            at=asked + timedelta(minutes=10),
            by="staff:1",
            channel="console",
        )
        _mark(session, lost, "skipped")
        # The same person answered again two hours later, and this one went out.
        kept = counsellor_reply(
            session, local, "Re", at=asked + timedelta(minutes=120), by="staff:1", channel="console"
        )
        _mark(session, kept, "sent")
        session.flush()
        week = indicators.compute(session, NOW, threshold=0.5)[-1]
        assert week.handoffs == 1
        assert week.waits == [120.0]


def test_a_request_answered_only_in_local_mode_has_no_wait(assistant: Assistant) -> None:
    asked = NOW - timedelta(hours=3)
    with assistant.sessions() as session:
        local = _asked(session, "Omar", asked)
        lost = counsellor_reply(
            session,
            local,
            "Bonjour",
            at=asked + timedelta(minutes=5),
            by="staff:1",
            channel="console",
        )
        _mark(session, lost, "skipped")
        pending = _asked(session, "Zoé", asked)
        counsellor_reply(
            session,
            pending,
            "J'arrive",
            at=asked + timedelta(minutes=30),
            by="staff:1",
            channel="console",
        )
        session.flush()
        week = indicators.compute(session, NOW, threshold=0.5)[-1]
        assert week.handoffs == 2
        assert week.waits == [30.0]  # the queued reply counts; the one nobody received does not
        assert week.median_wait == 30.0
