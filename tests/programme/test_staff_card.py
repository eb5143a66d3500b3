"""The staff card of a participant shows the programme (the lookup never resolved before)."""

from __future__ import annotations

from capabilities.handoff.staff_context import person_context
from core.clock import FrozenClock
from tests.chat import Chat
from tests.programme.test_checkin import linked


async def test_a_participants_card_names_the_programme_and_the_referent(
    chat: Chat, counsellor: int, clock: FrozenClock
) -> None:
    await linked(chat, counsellor, clock)
    await chat.say("je veux un conseiller")
    with chat.assistant.sessions() as session:
        card = person_context(session, 1).card()
    assert "Programme RSA : Samia Benali, suivi(e) par Claire Martin (actif)" in card
    assert "non inscrit" not in card


async def test_a_person_outside_the_programme_is_said_so(chat: Chat) -> None:
    await chat.consent()
    await chat.say("je veux un conseiller")
    with chat.assistant.sessions() as session:
        assert "Programme RSA : non inscrit(e)" in person_context(session, 1).card()
