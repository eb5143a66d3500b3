"""The same migrations build the same schema on SQLite and PostgreSQL, and roll back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select, text

from store.all_models import models  # noqa: F401
from store.base import Base
from store.db import make_engine, make_session_factory
from store.migrate import downgrade, upgrade
from store.models import ChannelAccount, Conversation, MessageLog, Person
from tests.pg import temporary_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/m.db"
    else:
        with temporary_database() as pg_url:
            yield pg_url


def test_migrations_create_every_model_table_and_roll_back(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    upgrade(engine)  # idempotent
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_times_are_stored_in_utc_and_come_back_aware(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    paris_winter = timezone(timedelta(hours=1))
    moment = datetime(2026, 3, 29, 3, 30, tzinfo=paris_winter)
    with sessions() as session:
        person = Person(consent="given", consent_at=moment)
        session.add(person)
        session.commit()
    with sessions() as session:
        stored = session.scalars(select(Person)).one()
        assert stored.consent_at == moment
        assert stored.consent_at is not None and stored.consent_at.tzinfo is not None
        assert stored.consent_at.utcoffset() == timedelta(0)
    engine.dispose()


def test_erasing_a_person_cascades_to_everything_about_them(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions() as session:
        person = Person(consent="given")
        session.add_all(
            [
                person,
                ChannelAccount(person=person, channel="telegram", external_ref="42"),
                Conversation(person=person, data={"a": 1}),
            ]
        )
        session.flush()
        session.add(
            MessageLog(
                person_id=person.id,
                direction="in",
                author="person",
                channel="telegram",
                kind="text",
                text="bonjour",
                created_at=datetime.now(UTC),
            )
        )
        session.commit()
        session.delete(person)
        session.commit()
    with sessions() as session:
        for model in (Person, ChannelAccount, Conversation, MessageLog):
            assert session.scalars(select(model)).first() is None
    engine.dispose()


def test_a_migrated_database_is_recognised_without_alembic(tmp_path: object) -> None:
    from store.migrate import at_heads, script_heads

    engine = make_engine(f"sqlite:///{tmp_path}/h.db")
    assert not at_heads(engine)
    upgrade(engine)
    assert at_heads(engine)
    assert script_heads()  # at least one head revision
    downgrade(engine, "0001")
    assert not at_heads(engine)
    engine.dispose()


def test_agenda_rows_written_before_0006c_become_file_rows_and_it_rolls_back(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine, "0003")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO espaces (id, name, commune, active) VALUES ('gare', 'Gare', 'D', :t)"
            ),
            {"t": True},
        )
        connection.execute(
            text(
                'INSERT INTO opening_periods (espace_id, weekday, start, "end", motif_ids, example)'
                " VALUES ('gare', 0, '09:00:00', '12:00:00', '[]', :t)"
            ),
            {"t": True},
        )
        connection.execute(
            text("INSERT INTO closures (espace_id, day, reason) VALUES ('gare', '2026-12-24', '')")
        )
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT managed_by, address FROM espaces")).one() == (
            "config",
            None,
        )
        for table in ("opening_periods", "closures"):
            row = connection.execute(text(f"SELECT managed_by, active, config_key FROM {table}"))
            assert tuple(row.one()) == ("config", True, None)
    downgrade(engine, "0003")
    columns = {c["name"] for c in inspect(engine).get_columns("opening_periods")}
    assert "managed_by" not in columns and "active" not in columns
    assert not inspect(engine).has_table("telegram_senders")
    engine.dispose()
