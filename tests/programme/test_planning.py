"""Set-based planning: the SQL aggregates agree with the pure rules; planning twice is harmless."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from capabilities.programme.planning import load_rows, plan
from capabilities.programme.rules import default_rules
from store.db import SessionFactory
from store.outbox import OutboxMessage
from store.programme import ContactEvent, CounsellorTask, Participant
from tests.pg import temporary_database
from tests.scheduler.helpers import add_counsellor, add_participant, add_person, database, paris

RULES = default_rules()
NOW = paris(2026, 12, 15, 10)  # Tuesday 15 December: check-in day and meetings-planned day


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SessionFactory]:
    if request.param == "sqlite":
        engine, factory = database(f"sqlite:///{tmp_path / 'p.db'}")
        yield factory
        engine.dispose()
    else:
        with temporary_database("programme_planning") as url:
            engine, factory = database(url)
            yield factory
            engine.dispose()


def event(sessions: SessionFactory, participant: int, kind: str, at: datetime) -> None:
    with sessions() as session:
        session.add(ContactEvent(participant_id=participant, kind=kind, occurred_at=at))
        session.commit()


def test_aggregates_use_paris_month_bounds(sessions: SessionFactory) -> None:
    counsellor = add_counsellor(sessions)
    p = add_participant(sessions, counsellor_id=counsellor, person_id=add_person(sessions, "1"))
    event(sessions, p, "physical", paris(2026, 11, 30, 23, 30))  # 22:30 UTC, November in Paris
    event(sessions, p, "physical", paris(2026, 12, 1, 0, 30))  # 23:30 UTC on the 30th: December
    event(sessions, p, "physical", paris(2026, 12, 20, 10))  # booked, in the future
    event(sessions, p, "phone", paris(2026, 12, 14, 9))
    with sessions() as session:
        (row,) = list(load_rows(session, NOW))
    history = row.history
    assert history.meetings_done_last_month == 1
    assert history.meetings_this_month == 2
    assert history.first_meeting_at == paris(2026, 11, 30, 23, 30)
    assert history.next_meeting_at == paris(2026, 12, 20, 10)
    assert history.last_contact_at == paris(2026, 12, 14, 9)
    assert row.state.reachable and row.locale == "fr"


def test_planning_twice_writes_the_same_rows(sessions: SessionFactory) -> None:
    counsellor = add_counsellor(sessions)
    reachable = add_participant(
        sessions,
        counsellor_id=counsellor,
        person_id=add_person(sessions, "1"),
        cer_signed_on=date(2026, 9, 8),
    )
    event(sessions, reachable, "physical", paris(2026, 9, 8, 10))
    stopped = add_participant(
        sessions,
        counsellor_id=counsellor,
        person_id=add_person(sessions, "2", opted_out=True),
        cer_signed_on=date(2026, 9, 8),
    )
    event(sessions, stopped, "physical", paris(2026, 9, 8, 10))
    add_participant(sessions, counsellor_id=counsellor, orientation_on=date(2026, 11, 20))
    with sessions() as session:
        first = plan(session, NOW, RULES)
        session.commit()
    with sessions() as session:
        second = plan(session, NOW, RULES)
        session.commit()
        messages = session.scalars(select(OutboxMessage)).all()
        task_rules = sorted(session.scalars(select(CounsellorTask.rule)))
    assert first.participants == 3
    assert first.messages_planned == 1 and second.messages_planned == 0
    assert first.tasks_created > 0 and second.tasks_created == 0
    assert first.actions == second.actions
    (message,) = messages
    assert message.idempotency_key == f"weekly_checkin:{reachable}:2026-W51"
    assert message.rule == "weekly_checkin"
    assert "first_meeting_overdue" in task_rules  # the one enrolled in November
    assert task_rules.count("meetings_not_planned") == 3
    assert "meetings_missed" not in task_rules  # 15 December: outside the alert's grace days


def test_caseload_above_fifty_alerts_the_counsellor(sessions: SessionFactory) -> None:
    counsellor = add_counsellor(sessions)
    with sessions() as session:
        session.add_all(
            Participant(
                name=f"P{i}",
                counsellor_id=counsellor,
                orientation_on=date(2026, 12, 14),
                status="active",
            )
            for i in range(51)
        )
        session.commit()
    with sessions() as session:
        result = plan(session, NOW, RULES)
        session.commit()
        alerts = session.scalars(
            select(CounsellorTask).where(CounsellorTask.rule == "caseload_above_limit")
        ).all()
        count = session.scalar(select(func.count()).select_from(OutboxMessage))
    assert result.by_rule["caseload_above_limit"] == 1
    (alert,) = alerts
    assert alert.counsellor_id == counsellor and "51" in alert.reason
    assert count == 0
