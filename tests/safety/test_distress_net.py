"""Hole 1: distress is heard in everyday spellings and alerts a counsellor, even before consent."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from capabilities.handoff.distress import is_distress
from capabilities.handoff.queue import queue
from capabilities.handoff.state import counsellor_reply
from capabilities.programme.rules import default_rules
from core.clock import FrozenClock
from scheduler.dispatch import Dispatcher
from store.models import Conversation, HandoffRequest, MessageLog, Person
from store.outbox import OutboxMessage
from tests.chat import Chat
from tests.scheduler.helpers import FakeChannel


@pytest.mark.parametrize(
    "words",
    [
        "jdors dehors depuis 3 jours avec mon chien",
        "je suis a la rue",
        "jai plu de toit",
        "j'ai plus de toit depuis hier",
        "je dor dehor",
        "chui sdf",
        "je veu me suisider",
        "jsuis sans domicile",
    ],
)
def test_everyday_and_sms_spellings_are_heard(words: str) -> None:
    assert is_distress(words)


@pytest.mark.parametrize(
    "words",
    [
        "je cherche un logement",
        "bus pour la gare",
        "je dors mal",
        "la rue de la gare",
        "je veux voir un conseiller",
        "formation caces",
    ],
)
def test_ordinary_words_stay_ordinary(words: str) -> None:
    assert not is_distress(words)


async def test_distress_before_consent_alerts_a_counsellor_at_the_top_of_the_queue(
    chat: Chat,
) -> None:
    other = Chat(chat.assistant, user="u2", display_name="Léo")
    await other.consent()
    await other.say("je veux un conseiller")  # waited first

    await chat.say("jdors dehors depuis 3 jours avec mon chien")
    assert "115" in chat.text
    assert "conseiller" in chat.text and "prévenu" in chat.text
    assert "consent:yes" in chat.payloads  # the consent question still comes

    with chat.assistant.sessions() as session:
        person = session.scalars(select(Person).where(Person.display_name.is_(None))).one()
        request = session.scalars(
            select(HandoffRequest).where(HandoffRequest.person_id == person.id)
        ).one()
        assert request.reason == "distress"
        assert "dehors" in request.summary  # only what the alert needs: the message
        assert (
            session.scalars(select(MessageLog).where(MessageLog.person_id == person.id)).all() == []
        )
        rows = queue(session, lambda _s, _p: None, staff_id=None)
        assert [row.reason for row in rows] == ["distress", "asked"]
        assert rows[0].urgent and not rows[1].urgent
        assert "dehors" in rows[0].preview

    await chat.press("consent:yes")
    with chat.assistant.sessions() as session:
        conversation = session.scalars(
            select(Conversation).where(Conversation.person_id == person.id)
        ).one()
        assert conversation.handoff == "waiting"  # still waiting for the counsellor


async def test_distress_after_refusal_still_alerts(chat: Chat) -> None:
    await chat.say("/start")
    await chat.press("consent:no")
    await chat.say("je suis a la rue ce soir")
    assert "115" in chat.text
    with chat.assistant.sessions() as session:
        assert session.scalars(select(HandoffRequest)).one().reason == "distress"


async def test_a_counsellors_answer_reaches_a_person_in_distress_who_has_not_consented(
    chat: Chat, clock: FrozenClock
) -> None:
    await chat.say("je suis a la rue")
    with chat.assistant.sessions() as session:
        conversation = session.scalars(select(Conversation)).one()
        counsellor_reply(
            session,
            conversation,
            "Bonjour, je vous appelle.",
            at=clock(),
            by="staff:1",
            channel="console",
        )
        session.commit()
    channel = FakeChannel(name="local")
    dispatcher = Dispatcher(
        chat.assistant.sessions, {"local": channel}, default_rules(), clock=clock, offload=False
    )
    while await dispatcher.drain_once():
        pass
    await dispatcher.close()
    assert [m.text for _ref, replies in channel.sent for m in replies] == [
        "Bonjour, je vous appelle."
    ]
    with chat.assistant.sessions() as session:
        assert session.scalars(select(OutboxMessage.status)).all() == ["sent"]


async def test_the_first_message_before_consent_joins_the_transcript_once_accepted(
    chat: Chat,
) -> None:
    await chat.say("jdors dehors depuis 3 jours avec mon chien")
    await chat.press("consent:yes")
    with chat.assistant.sessions() as session:
        rows = session.scalars(
            select(MessageLog).where(MessageLog.direction == "in").order_by(MessageLog.id)
        ).all()
        assert [(r.kind, r.text) for r in rows][:1] == [
            ("text", "jdors dehors depuis 3 jours avec mon chien")
        ]
        assert [r.payload for r in rows][1:] == ["consent:yes"]


async def test_a_refusal_keeps_no_first_message(chat: Chat) -> None:
    await chat.say("bus")
    await chat.press("consent:no")
    await chat.press("consent:yes")
    with chat.assistant.sessions() as session:
        texts = [r.text for r in session.scalars(select(MessageLog)).all()]
        assert "bus" not in texts
