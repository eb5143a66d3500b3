"""An agenda under control for the booking tests: two Espaces, three motifs, three staff."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from capabilities.appointments.config import AppointmentsConfig, parse_config
from capabilities.appointments.sync import sync_config
from capabilities.information.espaces import load_espaces
from store.db import SessionFactory, make_engine, make_session_factory
from store.migrate import upgrade
from store.models import Person
from tests.pg import temporary_database

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Tuesday 24 November 2026, 10:00 in Paris


def raw_config() -> dict[str, Any]:
    """A small agenda: Saint-Pol 9:00-12:00 Mon-Sat with 3 staff, a collective group of 3."""
    return {
        "example": True,
        "rules": {"min_delay_hours": 2, "horizon_days": 60, "cancel_limit_hours": 4},
        "motifs": [
            {
                "id": "info",
                "label": "Information sur les métiers",
                "duration_min": 30,
                "kind": "individual",
                "bring": ["Vos questions"],
            },
            {
                "id": "rsa",
                "label": "Rendez-vous du programme RSA",
                "duration_min": 45,
                "kind": "individual",
                "rsa": True,
            },
            {
                "id": "group",
                "label": "Booster sa recherche d'emploi",
                "duration_min": 120,
                "kind": "collective",
                "capacity": 3,
                "rsa": True,
            },
        ],
        "staff": [
            {"key": "s1", "name": "Agent 1", "email": "s1@example.invalid"},
            {"key": "s2", "name": "Agent 2", "email": "s2@example.invalid"},
            {"key": "s3", "name": "Agent 3", "email": "s3@example.invalid"},
        ],
        "periods": [
            {
                "espace": "saint_pol",
                "weekdays": ["mon", "tue", "wed", "thu", "fri", "sat"],
                "start": "09:00",
                "end": "12:00",
                "staff": ["s1", "s2", "s3"],
            },
            {
                "espace": "gare",
                "weekdays": ["mon", "tue", "wed", "thu", "fri"],
                "start": "14:00",
                "end": "17:00",
                "staff": ["s1"],
            },
        ],
        "sessions": [
            {"espace": "saint_pol", "motif": "group", "weekdays": ["wed"], "start": "14:00"}
        ],
        "closures": [{"espace": "gare", "date": "2026-11-27", "reason": "Fermé (test)"}],
    }


def make_config(**changes: Any) -> AppointmentsConfig:
    """The test agenda with some top-level keys replaced."""
    raw = raw_config()
    raw.update(changes)
    return parse_config(raw, load_espaces())


def prepare(url: str, config: AppointmentsConfig | None = None) -> SessionFactory:
    """Migrate a database and load the agenda into it."""
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions() as session:
        sync_config(session, config or make_config(), load_espaces())
        session.commit()
    return sessions


def add_people(session: Session, count: int) -> list[int]:
    """People who consented, as the chat would have created them."""
    people = [Person(consent="given") for _ in range(count)]
    session.add_all(people)
    session.flush()
    ids = [p.id for p in people]
    session.commit()
    return ids


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[SessionFactory]:
    """A migrated SQLite database holding the test agenda."""
    factory = prepare(f"sqlite:///{tmp_path / 'agenda.db'}")
    yield factory
    engine = factory.kw["bind"]
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SessionFactory]:
    """The test agenda on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        factory = prepare(f"sqlite:///{tmp_path / 'agenda.db'}")
        yield factory
        factory.kw["bind"].dispose()
    else:
        with temporary_database("appointments") as url:
            factory = prepare(url)
            yield factory
            factory.kw["bind"].dispose()
