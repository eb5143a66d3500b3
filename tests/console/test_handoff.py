"""Hand-off as a person and a counsellor live it: asking, distress, silence, relays, resolve."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from capabilities.assistant.assistant import Assistant
from capabilities.handoff import flow as handoff_flow
from capabilities.handoff.hours import load_hours, parse_hours
from capabilities.handoff.relay import StaffRelay
from core.clock import FrozenClock
from core.messages import Incoming, Kind
from store.console_models import CannedReply, HandoffTransition, StaffNote, StaffTopic
from store.models import Conversation, HandoffRequest
from tests.chat import Chat
from tests.console.conftest import STAFF_CHAT, staff_says
from tests.console.fakes import RecordingStaffGroup, relayed_texts


def state(assistant: Assistant) -> str:
    with assistant.sessions() as session:
        return session.scalars(select(Conversation)).one().handoff


def transitions(assistant: Assistant) -> list[tuple[str, str, str]]:
    with assistant.sessions() as session:
        rows = session.scalars(select(HandoffTransition).order_by(HandoffTransition.id))
        return [(row.from_state, row.to_state, row.by.split(":")[0]) for row in rows]


async def test_asking_in_opening_hours_says_a_counsellor_will_answer_here(chat: Chat) -> None:
    await chat.consent()
    await chat.say("je veux un conseiller")
    assert "dès que possible" in chat.text
    assert state(chat.assistant) == "waiting"
    assert transitions(chat.assistant) == [("bot", "waiting", "person")]


REAL_HOURS = {
    "placeholder": False,
    "days": {d: ["09:00-12:00", "13:30-17:00"] for d in range(1, 6)},
}


async def test_placeholder_hours_are_never_told_as_real(chat: Chat, clock: FrozenClock) -> None:
    assert load_hours().placeholder  # the shipped file: hours not published yet
    clock.now = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)  # Saturday 16:00 Paris
    await chat.consent()
    await chat.say("je veux un conseiller")
    assert "dès que possible" in chat.text
    assert "absents" not in chat.text and "lundi" not in chat.text and "9 h" not in chat.text


async def test_asking_on_saturday_says_when_counsellors_are_back(
    chat: Chat, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handoff_flow, "load_hours", lambda: parse_hours(REAL_HOURS))
    clock.now = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)  # Saturday 16:00 Paris
    await chat.consent()
    await chat.say("je veux un conseiller")
    assert "absents" in chat.text
    assert "lundi 30 novembre à 9 h 00" in chat.text


@pytest.mark.parametrize(
    ("words", "first", "numbers"),
    [
        ("je veux en finir", "3114", ("3114", "115", "17", "112")),
        ("J'ai envie de mourir", "3114", ("3114", "115", "17", "112")),
        ("je vais dormir dehors ce soir", "115", ("115",)),
        ("mon mari me frappe", "17", ("17", "3919")),
        ("Je suis à la rue", "115", ("115",)),
    ],
)
async def test_distress_words_give_emergency_numbers_and_call_a_counsellor(
    chat: Chat, words: str, first: str, numbers: tuple[str, ...]
) -> None:
    """The numbers for that danger, the most useful first; the suicide line only about it."""
    await chat.consent()
    await chat.say(words)
    first_reply = chat.last[0].text
    assert min(first_reply.find(n) for n in numbers if n in first_reply) == first_reply.find(first)
    for number in numbers:
        assert number in first_reply
    if first != "3114":
        assert "3114" not in chat.text
    assert "prévenu un conseiller" in chat.text
    with chat.assistant.sessions() as session:
        assert session.scalars(select(HandoffRequest)).one().reason == "distress"
    assert state(chat.assistant) == "waiting"


async def test_distress_before_consent_still_gets_the_numbers(chat: Chat) -> None:
    await chat.say("je veux me suicider")
    assert "3114" in chat.text
    assert "consent:yes" in chat.payloads


async def test_ordinary_words_are_not_distress(chat: Chat) -> None:
    await chat.consent()
    await chat.say("bus")
    assert "3114" not in chat.text
    assert state(chat.assistant) == "bot"


async def test_hand_off_round_trip_through_the_staff_group(
    chat: Chat, relay: StaffRelay, group: RecordingStaffGroup
) -> None:
    assistant = chat.assistant
    await chat.consent()
    await chat.say("bus")
    await chat.say("je veux un conseiller")
    # one topic, named after the person, with a summary card
    assert len(group.topics) == 1
    thread = next(iter(group.topics))
    assert "Samia" in group.topics[thread]
    card = group.texts(thread)[0]
    assert "a demandé un conseiller" in card and "ask_transport" in card
    assert "Programme RSA" in card
    # the person's words reach the topic; the bot stays silent
    await chat.say("j'ai perdu ma carte de bus")
    assert "C'est transmis" in chat.text
    await chat.say("vous êtes là ?")
    assert chat.last == []
    assert "👤 vous êtes là ?" in group.texts(thread)
    # a counsellor answers in the topic: relayed to the person through the outbox
    assert await relay.handle(staff_says(thread, "Bonjour, je regarde ça.", 1)) == []
    assert await relay.handle(staff_says(thread, "Bonjour, je regarde ça.", 1)) == []  # resent
    person_id = 1
    assert relayed_texts(assistant, person_id) == ["Bonjour, je regarde ça."]
    assert state(assistant) == "human"
    # private note, canned reply
    answer = await relay.handle(staff_says(thread, "/note a besoin d'un vélo", 2))
    assert "Note privée" in answer[0].text
    with assistant.sessions() as session:
        session.add(CannedReply(name="rdv", text="Je vous propose un rendez-vous à l'Espace."))
        session.commit()
    answer = await relay.handle(staff_says(thread, "/canned inconnue", 3))
    assert "rdv" in answer[0].text
    await relay.handle(staff_says(thread, "/canned rdv", 4))
    assert relayed_texts(assistant, person_id)[-1].startswith("Je vous propose")
    # resolve: the person is told, and the bot answers again
    answer = await relay.handle(staff_says(thread, "/resolve", 5))
    assert "Clos par Karim" in answer[0].text
    assert "terminé cet échange" in relayed_texts(assistant, person_id)[-1]
    assert state(assistant) == "resolved"
    await chat.say("bus")
    assert "DK'Bus" in chat.text
    assert state(assistant) == "bot"
    assert transitions(assistant) == [
        ("bot", "waiting", "person"),
        ("waiting", "human", "telegram"),
        ("human", "resolved", "telegram"),
        ("resolved", "bot", "person"),
    ]
    with assistant.sessions() as session:
        assert session.scalars(select(StaffNote)).one().text == "a besoin d'un vélo"
        assert session.scalars(select(HandoffRequest)).one().status == "closed"
    # a second hand-off reuses the topic and posts a fresh card
    await chat.say("je veux un conseiller")
    assert len(group.topics) == 1
    assert "a demandé un conseiller" in group.texts(thread)[-1]


async def test_the_person_can_go_back_to_the_bot_and_the_topic_is_told(
    chat: Chat, relay: StaffRelay, group: RecordingStaffGroup
) -> None:
    await chat.consent()
    await chat.say("je veux un conseiller")
    await chat.press("human:back")
    thread = next(iter(group.topics))
    assert group.texts(thread)[-1] == "La personne est revenue à l'assistant."
    assert state(chat.assistant) == "bot"


async def test_messages_outside_a_person_topic_are_not_relayed(
    chat: Chat, relay: StaffRelay
) -> None:
    await chat.consent()
    incoming = Incoming("telegram", str(STAFF_CHAT), Kind.TEXT, text="café ?", update_id=9)
    assert await relay.handle(incoming) == []
    help_answer = await relay.handle(staff_says(999, "/resolve", 10))
    assert "/resolve" in help_answer[0].text
    assert relayed_texts(chat.assistant) == []
    with chat.assistant.sessions() as session:
        assert session.scalars(select(StaffTopic)).all() == []
