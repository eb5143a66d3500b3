"""The conversation repository: update claims, account look-ups, transcript rows, errors."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, OperationalError

from capabilities.assistant.assistant import Assistant
from store import repo_conversation
from store.errors import Conflict, Unavailable, database_errors
from store.models import MessageLog, ProcessedUpdate
from tests.chat import Chat

AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_a_claim_returns_only_the_updates_not_seen_before(assistant: Assistant) -> None:
    with assistant.sessions() as session:
        first = repo_conversation.claim_updates(session, {("local", 1), ("local", 2)}, AT)
        again = repo_conversation.claim_updates(session, {("local", 2), ("local", 3)}, AT)
        session.commit()
    assert first == {("local", 1), ("local", 2)}
    assert again == {("local", 3)}


async def test_accounts_are_found_with_their_person_and_conversation(
    assistant: Assistant,
) -> None:
    await Chat(assistant, user="u7").consent()
    with assistant.sessions() as session:
        person_id = repo_conversation.person_id_of(session, "local", "u7")
        accounts = repo_conversation.accounts_with_conversations(
            session, {("local", "u7"), ("local", "nobody")}
        )
        assert repo_conversation.person_id_of(session, "local", "nobody") is None
    assert [account.person_id for account in accounts] == [person_id]
    assert accounts[0].person.conversation is not None  # loaded, usable after the session


async def test_a_group_look_up_takes_exact_pairs_and_uses_the_index_on_sqlite(
    assistant: Assistant,
) -> None:
    for user in ("a", "b"):
        await Chat(assistant, user=user).consent()
    plans: list[str] = []

    def explain(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if "FROM channel_accounts" in statement and not statement.startswith("EXPLAIN"):
            rows = cursor.connection.execute("EXPLAIN QUERY PLAN " + statement, params)
            plans.extend(str(row[-1]) for row in rows.fetchall())

    engine = assistant.sessions.kw["bind"]
    event.listen(engine, "before_cursor_execute", explain)
    try:
        with assistant.sessions() as session:
            wanted = {("local", "a"), ("local", "b"), ("web", "a")}
            accounts = repo_conversation.accounts_with_conversations(session, wanted)
    finally:
        event.remove(engine, "before_cursor_execute", explain)
    assert sorted((a.channel, a.external_ref) for a in accounts) == [("local", "a"), ("local", "b")]
    # a row-value IN of two pairs or more scans every account ever met, once per turn group
    assert plans and not any(p.startswith("SCAN channel_accounts") for p in plans), plans


async def test_transcript_rows_are_inserted_in_one_call(assistant: Assistant) -> None:
    await Chat(assistant, user="u8").consent()
    with assistant.sessions() as session:
        person_id = repo_conversation.person_id_of(session, "local", "u8")
        row: dict[str, Any] = {
            "person_id": person_id,
            "created_at": AT,
            "channel": "local",
            "direction": "in",
            "author": "person",
            "kind": "text",
            "text": "bonjour",
            "payload": None,
            "intent": None,
            "confidence": None,
        }
        repo_conversation.insert_log(session, [row, {**row, "text": "encore"}])
        session.commit()
        texts = [m.text for m in session.query(MessageLog).filter_by(person_id=person_id)]
    assert texts[-2:] == ["bonjour", "encore"]


def test_sqlite_turns_run_on_the_event_loop(assistant: Assistant) -> None:
    assert repo_conversation.offloads(assistant.sessions) is False


def test_database_errors_become_store_errors() -> None:
    with pytest.raises(Conflict) as conflict, database_errors():
        raise IntegrityError("INSERT …", {}, Exception("UNIQUE constraint failed"))
    assert isinstance(conflict.value.__cause__, IntegrityError)
    assert "UNIQUE constraint failed" in str(conflict.value)
    with pytest.raises(Unavailable), database_errors():
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))
    with pytest.raises(ValueError, match="left alone"), database_errors():
        raise ValueError("not a database error: left alone")


async def test_a_delivery_that_loses_the_claim_race_is_silent(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A concurrent delivery committed the update first: this one stops, no apology."""
    chat = Chat(assistant, user="u9")
    await chat.consent()
    await chat.say("bus", update_id=777_001)

    def racing_claim(session: Any, wanted: Any, at: datetime) -> set[tuple[str, int]]:
        for channel, update_id in wanted:  # as if no row existed when we claimed
            session.add(ProcessedUpdate(channel=channel, update_id=update_id, processed_at=at))
        return set(wanted)

    monkeypatch.setattr(repo_conversation, "claim_updates", racing_claim)
    assert await chat.say("bus", update_id=777_001) == []
