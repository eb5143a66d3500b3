"""The privacy repository: what /mesdonnees counts."""

from __future__ import annotations

from datetime import UTC, datetime

from capabilities.assistant.assistant import Assistant
from store import repo_privacy
from store.models import HandoffRequest, MessageLog
from tests.store.test_repo_handoff import person_who_talked

AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


async def test_messages_and_requests_are_counted_per_person(assistant: Assistant) -> None:
    person_id = await person_who_talked(assistant, "p1")
    other = await person_who_talked(assistant, "p2")
    with assistant.sessions() as session:
        assert repo_privacy.handoff_request_count(session, person_id) == 0
        session.add(HandoffRequest(person_id=person_id, reason="asked", created_at=AT))
        session.commit()
        logged = session.query(MessageLog).filter_by(person_id=person_id).count()
        assert logged > 0
        assert repo_privacy.message_count(session, person_id) == logged
        assert repo_privacy.handoff_request_count(session, person_id) == 1
        assert repo_privacy.handoff_request_count(session, other) == 0
        assert repo_privacy.message_count(session, other + 1000) == 0
