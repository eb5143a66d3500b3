"""The hand-off repository, queried directly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from capabilities.assistant.assistant import Assistant
from store import repo_conversation, repo_handoff
from store.console_models import CannedReply, StaffTopic, TelegramLinkCode, TelegramSender
from store.models import HandoffRequest
from store.staff import Staff
from tests.chat import Chat

AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


async def person_who_talked(assistant: Assistant, user: str) -> int:
    chat = Chat(assistant, user=user)
    await chat.consent()
    await chat.say("bus")
    await chat.say("logement")
    with assistant.sessions() as session:
        person_id = repo_conversation.person_id_of(session, "local", user)
    assert person_id is not None
    return person_id


async def test_requests_intents_and_counts_of_a_person(assistant: Assistant) -> None:
    person_id = await person_who_talked(assistant, "h1")
    with assistant.sessions() as session:
        assert repo_handoff.latest_request(session, person_id) is None
        session.add_all(
            [
                HandoffRequest(person_id=person_id, reason="asked", created_at=AT, status="closed"),
                HandoffRequest(
                    person_id=person_id, reason="distress", created_at=AT + timedelta(1)
                ),
            ]
        )
        session.commit()
        latest = repo_handoff.latest_request(session, person_id)
        assert latest is not None and latest.reason == "distress"
        assert [r.reason for r in repo_handoff.open_requests(session, person_id)] == ["distress"]
        assert repo_handoff.recent_intents(session, person_id, 10) == [
            "ask_housing",
            "ask_transport",
        ]
        assert repo_handoff.recent_intents(session, person_id, 1) == ["ask_housing"]
        assert repo_handoff.conversation_of(session, person_id) is not None
        assert repo_handoff.conversation_of(session, person_id + 1000) is None


async def test_topics_and_canned_replies(assistant: Assistant) -> None:
    person_id = await person_who_talked(assistant, "h2")
    with assistant.sessions() as session:
        session.add(StaffTopic(person_id=person_id, chat_id=-100, thread_id=7, created_at=AT))
        session.add_all(
            [CannedReply(name="horaires", text="9h-17h"), CannedReply(name="adresse", text="…")]
        )
        session.commit()
        topic = repo_handoff.topic_by_thread(session, -100, 7)
        assert topic is not None and topic.person_id == person_id
        assert repo_handoff.topic_by_thread(session, -200, 7) is None
        canned = repo_handoff.canned_reply(session, "horaires")
        assert canned is not None and canned.text == "9h-17h"
        assert repo_handoff.canned_reply(session, "inconnue") is None
        assert sorted(repo_handoff.canned_names(session)) == ["adresse", "horaires"]


def test_staff_links_senders_and_codes(assistant: Assistant) -> None:
    with assistant.sessions() as session:
        karim = Staff(name="Karim", telegram_user_id=42)
        old = Staff(name="Ancien", telegram_user_id=43, active=False)
        session.add_all([karim, old])
        session.flush()
        session.add(
            TelegramLinkCode(code_hash="h", staff_id=karim.id, created_at=AT, expires_at=AT)
        )
        repo_handoff.upsert_sender(
            session, 42, {"first_name": "K", "username": None, "last_seen_at": AT}
        )
        repo_handoff.upsert_sender(
            session, 42, {"first_name": "Karim", "username": "k", "last_seen_at": AT}
        )
        session.commit()
        sender = session.get(TelegramSender, 42)
        assert sender is not None and (sender.first_name, sender.username) == ("Karim", "k")
        assert repo_handoff.staff_linked_to(session, 42) is karim
        assert repo_handoff.staff_linked_to(session, 43) is old
        assert repo_handoff.staff_linked_to(session, 43, active=True) is None
        repo_handoff.drop_link_codes(session, karim.id)
        repo_handoff.unlink_others(session, 43, karim.id)
        session.commit()
        assert session.get(TelegramLinkCode, "h") is None
        session.refresh(old)
        assert old.telegram_user_id is None
        assert repo_handoff.staff_linked_to(session, 42) is karim  # its own link is kept
