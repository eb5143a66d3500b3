"""Enrolment as the participant lives it: the link, consent, a linked account; bad links."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from capabilities.assistant.assistant import Assistant
from capabilities.programme.enrolment import (
    FALLBACK_USERNAME,
    Enrolled,
    EnrolmentError,
    enrol,
    issue_invitation,
    link_for,
    new_code,
)
from core.clock import FrozenClock
from store.programme import Invitation, Participant
from tests.chat import Chat


def enrolled(
    assistant: Assistant, counsellor: int, clock: FrozenClock, **kwargs: object
) -> Enrolled:
    with assistant.sessions() as session:
        result = enrol(
            session,
            name="Samia Benali",
            orientation_on=date(2026, 11, 20),
            counsellor_id=counsellor,
            now=clock(),
            username=str(kwargs.pop("username", "Emplois20000Bot")),
            **kwargs,  # type: ignore[arg-type]
        )
        session.commit()
        return result


def participant(assistant: Assistant, participant_id: int) -> Participant:
    with assistant.sessions() as session:
        found = session.get(Participant, participant_id)
        assert found is not None
        return found


async def test_the_link_asks_consent_first_then_links_the_account(
    chat: Chat, counsellor: int, clock: FrozenClock
) -> None:
    invitation = enrolled(chat.assistant, counsellor, clock)
    assert invitation.link == f"https://t.me/Emplois20000Bot?start={invitation.code}"
    assert len(invitation.link) <= 64
    await chat.say(f"/start {invitation.code}")
    assert "Acceptez-vous" in chat.text
    assert participant(chat.assistant, invitation.participant_id).person_id is None
    await chat.press("consent:yes")
    assert "votre compte est relié à votre accompagnement" in chat.text
    assert "Claire Martin" in chat.text
    assert "le mardi" in chat.text and "/stop" in chat.text
    linked = participant(chat.assistant, invitation.participant_id)
    assert linked.person_id is not None and linked.status == "active"
    await chat.say(f"/start {invitation.code}")  # the same person opens it again
    assert "déjà relié" in chat.text and "tout est en ordre" in chat.text


async def test_a_consented_person_opening_the_link_is_linked_at_once(
    chat: Chat, counsellor: int, clock: FrozenClock
) -> None:
    await chat.consent()
    invitation = enrolled(chat.assistant, counsellor, clock)
    await chat.say(f"/start {invitation.code}")
    assert "votre compte est relié" in chat.text


async def test_a_used_code_links_nothing_for_someone_else(
    assistant: Assistant, counsellor: int, clock: FrozenClock
) -> None:
    invitation = enrolled(assistant, counsellor, clock)
    first, second = Chat(assistant, user="u1"), Chat(assistant, user="u2")
    await first.say(f"/start {invitation.code}")
    await first.press("consent:yes")
    await second.say(f"/start {invitation.code}")
    await second.press("consent:yes")
    assert "déjà servi" in second.text and "rien relié" in second.text
    with assistant.sessions() as session:
        linked = session.scalars(select(Participant.person_id)).all()
    assert len(linked) == 1


async def test_an_expired_code_links_nothing(
    chat: Chat, counsellor: int, clock: FrozenClock
) -> None:
    invitation = enrolled(chat.assistant, counsellor, clock)
    clock.advance(days=14, seconds=1)
    await chat.consent()
    await chat.say(f"/start {invitation.code}")
    assert "a expiré" in chat.text and "nouveau lien" in chat.text
    assert participant(chat.assistant, invitation.participant_id).person_id is None


async def test_an_unknown_code_gets_a_clear_answer(chat: Chat, counsellor: int) -> None:
    await chat.consent()
    await chat.say("/start AAAAAAAAAAAAAAAAAAAA")
    assert "Je ne reconnais pas ce lien" in chat.text
    await chat.say("/start x")  # not an invitation's shape: the menu, as a plain /start
    assert "card:transport" in chat.payloads


async def test_a_new_link_replaces_the_old_one(
    assistant: Assistant, counsellor: int, clock: FrozenClock
) -> None:
    old = enrolled(assistant, counsellor, clock)
    with assistant.sessions() as session:
        p = session.get(Participant, old.participant_id)
        assert p is not None
        new = issue_invitation(session, p, clock(), "Emplois20000Bot")
        session.commit()
        assert len(session.scalars(select(Invitation)).all()) == 2
    chat = Chat(assistant)
    await chat.consent()
    await chat.say(f"/start {old.code}")
    assert "déjà servi" in chat.text
    await chat.say(f"/start {new.code}")
    assert "votre compte est relié" in chat.text


def test_codes_are_unguessable_and_links_fit_in_64_characters() -> None:
    longest = "B" * 32  # Telegram usernames have at most 32 characters
    code = new_code(longest)
    assert len(link_for(longest, code)) <= 64 and len(code) >= 12
    assert len(new_code("Bot")) == 22  # 128 bits when there is room
    assert len({new_code("Bot") for _ in range(1000)}) == 1000
    assert FALLBACK_USERNAME in link_for(None, code)


async def test_enrolment_refuses_bad_input(
    assistant: Assistant, counsellor: int, clock: FrozenClock
) -> None:
    with assistant.sessions() as session:
        with pytest.raises(EnrolmentError, match="conseiller"):
            enrol(
                session,
                name="A",
                orientation_on=date(2026, 11, 20),
                counsellor_id=999,
                now=clock(),
                username=None,
            )
        with pytest.raises(EnrolmentError, match="nom"):
            enrol(
                session,
                name="  ",
                orientation_on=date(2026, 11, 20),
                counsellor_id=counsellor,
                now=clock(),
                username=None,
            )
        with pytest.raises(EnrolmentError, match="fin"):
            enrol(
                session,
                name="A",
                orientation_on=date(2026, 11, 20),
                counsellor_id=counsellor,
                now=clock(),
                username=None,
                programme_end=date(2026, 11, 20) - timedelta(days=1),
            )
