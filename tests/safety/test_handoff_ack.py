"""Hole 4: waiting for an absent counsellor, the person is never met with silence."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from capabilities.handoff import flow as handoff_flow
from capabilities.handoff.hours import parse_hours
from capabilities.handoff.state import take
from core.clock import FrozenClock
from store.models import Conversation
from tests.chat import Chat
from tests.console.test_handoff import REAL_HOURS


def handoff_state(chat: Chat) -> str:
    with chat.assistant.sessions() as session:
        return session.scalars(select(Conversation)).one().handoff


async def test_every_hour_a_waiting_person_hears_when_someone_will_read(
    chat: Chat, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handoff_flow, "load_hours", lambda: parse_hours(REAL_HOURS))
    clock.now = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)  # Saturday 16:00 Paris
    await chat.consent()
    await chat.say("je veux un conseiller")
    await chat.say("bus")
    assert "transmis" in chat.text and "lundi 30 novembre" in chat.text
    await chat.say("logement")
    assert chat.last == []  # not twice within the hour
    clock.advance(hours=1, minutes=5)
    await chat.say("je veux passer le caces")
    assert "transmis" in chat.text and "lundi 30 novembre" in chat.text
    assert "menu" in chat.payloads  # the menu is still there
    await chat.press("menu")
    assert chat.last and chat.payloads  # the menu answers…
    assert handoff_state(chat) == "waiting"  # …and the request still waits


async def test_a_person_whose_counsellor_went_quiet_is_acknowledged(
    chat: Chat, clock: FrozenClock
) -> None:
    await chat.consent()
    await chat.say("je veux un conseiller")
    with chat.assistant.sessions() as session:
        conversation = session.scalars(select(Conversation)).one()
        take(session, conversation, at=clock(), by="staff:1")
        session.commit()
    await chat.say("vous êtes là ?")
    assert "transmis" in chat.text
    await chat.say("allo")
    assert chat.last == []
    clock.advance(hours=2)
    await chat.say("je veux passer le caces")
    assert "transmis" in chat.text
    assert handoff_state(chat) == "human"
