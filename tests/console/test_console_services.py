"""The services and repositories behind the console's pages, without HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from capabilities.assistant.assistant import Assistant
from capabilities.handoff import queue
from capabilities.handoff.transcript import history, transcript, who_labels
from capabilities.programme.caseload import open_caseload
from capabilities.programme.rules import default_rules
from console.security import is_throttled, record_attempt
from store import repo_console, repo_console_queue
from store.console_models import Assignment, HandoffTransition
from store.db import Session
from store.errors import Conflict
from store.models import Conversation, MessageLog, Person
from store.staff import Staff

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _nobody(session: Session, person_id: int) -> int | None:
    return None


def _person(session: Session, name: str, handoff: str, minutes_ago: int, by: str = "") -> int:
    person = Person(display_name=name)
    session.add(person)
    session.flush()
    session.add(
        Conversation(
            person_id=person.id,
            handoff=handoff,
            handoff_at=NOW - timedelta(minutes=minutes_ago),
            handoff_by=by or None,
        )
    )
    session.flush()
    return person.id


def _staff(session: Session, name: str, role: str = "counsellor") -> Staff:
    member = Staff(name=name, email=f"{name.lower()}@example.org", role=role)
    session.add(member)
    session.flush()
    return member


def test_queue_lists_waiting_and_held_oldest_first(assistant: Assistant) -> None:
    with assistant.sessions() as session:
        karim = _staff(session, "Karim")
        nadia = _staff(session, "Nadia")
        late = _person(session, "Léa", "waiting", 5)
        early = _person(session, "Omar", "human", 30, by=f"staff:{karim.id}")
        _person(session, "Zoé", "bot", 60)
        admin_view = queue.queue(session, _nobody, staff_id=None)
        assert [row.person_id for row in admin_view] == [early, late]
        assert admin_view[0].held_by == "Karim"
        # Nadia sees the shared queue, not Karim's conversation.
        assert [row.person_id for row in queue.queue(session, _nobody, staff_id=nadia.id)] == [late]
        assert queue.can_open(session, _nobody, nadia, late)
        assert not queue.can_open(session, _nobody, nadia, early)
        assert queue.can_open(session, _nobody, karim, early)


def test_round_robin_balances_then_release_forgets(assistant: Assistant) -> None:
    with assistant.sessions() as session:
        _staff(session, "Alice")
        second = _staff(session, "Bruno")
        in_turn = [member.id for member in repo_console_queue.counsellors_in_turn(session)]
        people = [_person(session, f"P{n}", "waiting", 10 - n) for n in range(3)]
        assert queue.round_robin(session, NOW, "staff:0") == 3
        assert queue.round_robin(session, NOW, "staff:0") == 0  # everyone already assigned
        assigned = repo_console_queue.assignees(session, people)
        # Nobody had a load: the first three in turn (by id) get one person each.
        assert sorted(assigned.values()) == in_turn[:3]
        queue.release(session, people[0])
        queue.assign(session, people[1], second.id, NOW, "staff:0")
        session.flush()
        assert session.get(Assignment, people[0]) is None
        assert repo_console_queue.assignees(session, people)[people[1]] == second.id


def test_transcript_oldest_first_and_labels(assistant: Assistant) -> None:
    with assistant.sessions() as session:
        member = _staff(session, "Karim")
        person_id = _person(session, "Léa", "human", 5, by=f"staff:{member.id}")
        for n, author in enumerate(("person", f"counsellor:{member.id}", "person")):
            session.add(
                MessageLog(
                    person_id=person_id,
                    created_at=NOW + timedelta(minutes=n),
                    direction="in" if author == "person" else "out",
                    author=author,
                    channel="telegram",
                    kind="text",
                    text=str(n),
                )
            )
        session.add(
            HandoffTransition(
                person_id=person_id, at=NOW, from_state="waiting", to_state="human", by="staff:9"
            )
        )
        session.flush()
        assert [m.text for m in transcript(session, person_id, limit=2)] == ["1", "2"]
        assert [t.to_state for t in history(session, person_id)] == ["human"]
        labels = who_labels(session, [f"counsellor:{member.id}", "staff:9", "telegram:Ana"])
        assert labels == {
            f"counsellor:{member.id}": "Karim",
            "staff:9": "Conseiller n° 9",
            "telegram:Ana": "Ana (Telegram)",
        }


def test_accounts_by_email_whatever_the_case_and_unique(assistant: Assistant) -> None:
    with assistant.sessions() as session:
        _staff(session, "Karim")
        found = repo_console.staff_by_email(session, "karim@example.org")
        assert found is not None and found.name == "Karim"
        session.commit()
        with pytest.raises(Conflict):
            repo_console.add_staff(session, Staff(name="Other", email="karim@example.org"))
        session.rollback()
        names = [m.name for m in repo_console.members_by_name(session)]
        assert "Karim" in names and "Other" not in names


def test_throttle_counts_failures_since_the_last_success(assistant: Assistant) -> None:
    with assistant.sessions() as session:
        for minute in range(5):
            record_attempt(session, "a@b.fr", "ip", False, NOW + timedelta(minutes=minute))
        session.flush()
        assert is_throttled(session, "a@b.fr", NOW + timedelta(minutes=6))
        record_attempt(session, "a@b.fr", "ip", True, NOW + timedelta(minutes=7))
        session.flush()
        assert repo_console.last_success(session, "a@b.fr") == NOW + timedelta(minutes=7)
        assert repo_console.failures_since(session, "a@b.fr", NOW - timedelta(hours=1)) == 5
        assert not is_throttled(session, "a@b.fr", NOW + timedelta(minutes=8))


def test_empty_caseload_without_participants(assistant: Assistant) -> None:
    with assistant.sessions() as session:
        assert open_caseload(session, NOW, default_rules(), None) == []
