"""The appointments repositories: the agenda lock on both databases, and what callers rely on."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import create_engine, select, text

from capabilities.appointments.booking import book
from capabilities.appointments.config import Rules
from store import repo_agenda, repo_agenda_admin, repo_appointments
from store.appointments import AgendaLock
from store.db import SessionFactory
from store.scratch import postgres_database
from tests.appointments.conftest import NOW, add_people
from tests.pg import ADMIN_URL

RULES = Rules()
INFO_9 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # Thursday 9:00 Paris
DAY = date(2026, 11, 26)


def test_lock_agenda_creates_the_row_once_on_both_databases(any_sessions: SessionFactory) -> None:
    for _ in range(2):
        with any_sessions() as session:
            repo_appointments.lock_agenda(session, "saint_pol", DAY)
            session.commit()
    with any_sessions() as session:
        rows = session.scalars(select(AgendaLock).where(AgendaLock.espace_id == "saint_pol"))
        assert [(row.day, row.version) for row in rows] == [(DAY, 0)]


def test_active_of_motif_honours_exclude(sessions: SessionFactory) -> None:
    with sessions() as session:
        (person,) = add_people(session, 1)
        booking = book(
            session,
            person_id=person,
            espace_id="saint_pol",
            motif_id="info",
            start=INFO_9,
            now=NOW,
            rules=RULES,
        )
        session.commit()
        found = repo_appointments.active_of_motif(session, person, "info", NOW)
        assert found is not None and found.id == booking.id
        assert repo_appointments.active_of_motif(session, person, "info", NOW, exclude=0)
        assert (
            repo_appointments.active_of_motif(session, person, "info", NOW, exclude=booking.id)
            is None
        )
        assert repo_appointments.count_active(session, "saint_pol", "info", INFO_9) == 1
        assert repo_appointments.seats_taken(session, "saint_pol", "info", INFO_9) == set()
        spans = list(repo_agenda.busy(session, INFO_9, INFO_9.replace(hour=9), ["saint_pol"]))
        assert [(s.id, s.staff_id is not None, s.seat) for s in spans] == [(booking.id, True, None)]


def test_a_cancelled_booking_is_cancelled_once(sessions: SessionFactory) -> None:
    with sessions() as session:
        (person,) = add_people(session, 1)
        booking = book(
            session,
            person_id=person,
            espace_id="saint_pol",
            motif_id="info",
            start=INFO_9,
            now=NOW,
            rules=RULES,
        )
        assert repo_appointments.mark_cancelled(session, booking.id, NOW, "staff") == 1
        assert repo_appointments.mark_cancelled(session, booking.id, NOW, "staff") == 0
        assert repo_appointments.mark_moved(session, booking.id, booking.id, NOW) == 0


def test_agenda_reads_for_the_admin_and_the_sync(sessions: SessionFactory) -> None:
    with sessions() as session:
        durations = repo_agenda_admin.motif_durations(session)
        assert durations == {"info": 30, "rsa": 45, "group": 120}
        assert [m.id for m in repo_agenda.motifs_in_order(session)] == ["info", "rsa", "group"]
        assert repo_agenda_admin.last_motif_position(session) == 2
        assert repo_agenda.programme_motif(session) is not None
        assert {p.motif_id for p in repo_agenda_admin.capacity_following_periods(session, "group")}
        assert repo_agenda_admin.staff_by_email(session, "s1@example.invalid") is not None
        assert repo_agenda_admin.staff_by_email(session, "nobody@example.invalid") is None


def test_database_key_hides_the_password() -> None:
    factory = SessionFactory(create_engine("postgresql+psycopg://u:secret@localhost/db"))
    with factory() as session:
        assert "secret" not in repo_agenda.database_key(session)


@pytest.mark.postgres
def test_postgres_database_is_dropped_afterwards() -> None:
    name = f"scratch_{uuid.uuid4().hex[:8]}"
    with postgres_database(ADMIN_URL, name) as url:
        assert url.endswith(f"/{name}")
    admin = create_engine(ADMIN_URL)
    with admin.connect() as connection:
        found = connection.execute(
            text("SELECT count(*) FROM pg_database WHERE datname = :name"), {"name": name}
        ).scalar()
    admin.dispose()
    assert found == 0
