"""Hole 3: a worrying check-in answer in free text alerts the counsellor like the button."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from capabilities.programme.triage import worry_of
from core.clock import FrozenClock
from store.models import Conversation, HandoffRequest
from store.programme import ContactEvent
from tests.chat import Chat
from tests.programme.test_checkin import TUESDAY, linked, run_plan, send_all


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("bof jai pas trouver de travail et jai plus de forfait bientot", "difficulty"),
        ("jai plus d'argent pour finir le mois", "money"),
        ("je suis malade depuis lundi", "health"),
        ("mon proprio veut me mettre a la porte", "housing"),
        ("j'en ai marre, ça sert à rien", "discouragement"),
        ("c'est dur en ce moment", "discouragement"),
        ("ca va pas trop", "discouragement"),
    ],
)
def test_worrying_answers_are_recognised(text: str, topic: str) -> None:
    assert worry_of(text) == topic


@pytest.mark.parametrize(
    "text",
    [
        "tout va bien, j'ai un entretien jeudi",
        "ça va merci",
        "pas de problème, à la semaine prochaine",
        "ça va pas mal",
        "super j'ai commencé ma formation",
    ],
)
def test_reassuring_answers_raise_nothing(text: str) -> None:
    assert worry_of(text) is None


async def test_a_worrying_free_text_answer_alerts_the_counsellor(
    chat: Chat, counsellor: int, clock: FrozenClock
) -> None:
    await linked(chat, counsellor, clock)
    run_plan(chat.assistant, TUESDAY)
    await send_all(chat.assistant, clock)
    await chat.say("bof jai pas trouver de travail et jai plus de forfait bientot")
    assert "Merci, c'est noté" not in chat.text
    assert "J'ai prévenu Claire Martin" in chat.text
    with chat.assistant.sessions() as session:
        (request,) = session.scalars(select(HandoffRequest)).all()
        assert request.reason == "checkin"
        assert "forfait" in request.summary
        assert session.scalars(select(Conversation)).one().handoff == "waiting"
        (event,) = session.scalars(select(ContactEvent).where(ContactEvent.kind == "checkin"))
        assert event.answer == "free_text" and "forfait" in (event.text or "")


async def test_a_worrying_note_after_the_ok_button_alerts_too(
    chat: Chat, counsellor: int, clock: FrozenClock
) -> None:
    await linked(chat, counsellor, clock)
    await chat.press("checkin:ok:2026-W48")
    await chat.say("en fait je suis malade et je peux plus payer le loyer")
    assert "J'ai prévenu Claire Martin" in chat.text
    with chat.assistant.sessions() as session:
        assert session.scalars(select(HandoffRequest)).one().reason == "checkin"


async def test_a_reassuring_answer_is_only_noted(
    chat: Chat, counsellor: int, clock: FrozenClock
) -> None:
    await linked(chat, counsellor, clock)
    run_plan(chat.assistant, TUESDAY)
    await send_all(chat.assistant, clock)
    await chat.say("tout va bien, j'ai un entretien jeudi")
    assert "votre conseiller lira votre message" in chat.text
    with chat.assistant.sessions() as session:
        assert session.scalars(select(HandoffRequest)).all() == []
