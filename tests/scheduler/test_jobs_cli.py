"""The jobs (ids, coalescing, tick, report, retention) and the command line."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from capabilities.programme.rules import default_rules
from core.settings import get_settings
from scheduler.__main__ import main
from scheduler.jobs import DAILY_REPORT, RETENTION, TICK, Programme, build_scheduler, run_programme
from store.db import SessionFactory
from store.outbox import OutboxMessage
from store.programme import ContactEvent, CounsellorTask, Participant
from tests.scheduler.helpers import (
    FakeChannel,
    add_counsellor,
    add_participant,
    add_person,
    database,
    paris,
)

RULES = default_rules()
NOW = paris(2026, 12, 1, 10)


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[SessionFactory]:
    engine, factory = database(f"sqlite:///{tmp_path / 'j.db'}")
    yield factory
    engine.dispose()


def linked_participant(sessions: SessionFactory) -> int:
    counsellor = add_counsellor(sessions)
    pid = add_participant(
        sessions,
        counsellor_id=counsellor,
        person_id=add_person(sessions, "42"),
        cer_signed_on=date(2026, 9, 8),
    )
    with sessions() as session:
        session.add(
            ContactEvent(participant_id=pid, kind="physical", occurred_at=paris(2026, 9, 8))
        )
        session.commit()
    return pid


async def test_jobs_have_fixed_ids_and_do_not_replay_missed_runs(
    sessions: SessionFactory,
) -> None:
    scheduler = build_scheduler(Programme(sessions, RULES, None, lambda: NOW))
    scheduler.start(paused=True)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    scheduler.shutdown(wait=False)
    assert set(jobs) == {TICK, DAILY_REPORT, RETENTION}
    for job in jobs.values():
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time == RULES.jobs.misfire_grace_seconds
    assert str(jobs[DAILY_REPORT].trigger).startswith("cron[hour='7', minute='0'")


async def test_tick_plans_and_wakes_the_dispatcher_report_and_retention(
    sessions: SessionFactory, tmp_path: Path
) -> None:
    pid = linked_participant(sessions)
    programme = Programme(sessions, RULES, None, lambda: NOW, reports=tmp_path / "reports")
    await programme.tick()
    await programme.tick()
    with sessions() as session:
        (row,) = session.scalars(select(OutboxMessage)).all()
        assert row.idempotency_key == f"weekly_checkin:{pid}:2026-W49"
        row.status, row.created_at = "sent", NOW - timedelta(days=91)
        session.commit()
    path = programme.daily_report()
    assert path.name == "conformite-2026-12-01.csv"
    assert "weeks_with_contact" in path.read_text(encoding="utf-8")
    assert programme.retention() == 1
    with sessions() as session:
        assert session.scalars(select(OutboxMessage)).all() == []


async def test_run_programme_sends_and_stops_cleanly(sessions: SessionFactory) -> None:
    linked_participant(sessions)
    channel = FakeChannel()
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_programme(sessions, {"telegram": channel}, stop, rules=RULES, clock=lambda: NOW)
    )
    await asyncio.wait_for(channel.delivered.wait(), timeout=10)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert channel.refs() == ["42"]
    with sessions() as session:
        participant = session.scalars(select(Participant)).one()
        assert participant.last_checkin_at == NOW


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "Emplois20000Bot")
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_command_line_enrol_contact_due_report(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["counsellor-add", "--name", "Claire Martin"]) == 0
    assert (
        main(
            ["enrol", "--name", "=HYPERLINK(1)", "--orientation", "2026-11-20", "--counsellor", "1"]
        )
        == 0
    )
    out = capsys.readouterr().out
    link = out.strip().splitlines()[-1]
    assert link.startswith("https://t.me/Emplois20000Bot?start=") and len(link) <= 64
    assert main(["enrol", "--name", "X", "--orientation", "2026-11-20", "--counsellor", "9"]) == 2
    assert "conseiller 9 inconnu" in capsys.readouterr().err
    assert main(["due", "--now", "2026-12-01T10:00", "--json"]) == 0
    due = json.loads(capsys.readouterr().out)
    assert [item["rule"] for item in due] == ["first_meeting_not_booked"]
    assert main(["contact", "1", "--kind", "physical", "--at", "2026-12-02T14:00"]) == 0
    assert main(["contact", "1", "--kind", "cer", "--at", "2026-12-02T14:30"]) == 0
    capsys.readouterr()
    assert main(["due", "--now", "2026-12-03T10:00"]) == 0
    assert "0 action due" in capsys.readouterr().out
    assert main(["report", "--csv", "--now", "2026-12-03T10:00"]) == 0
    report = capsys.readouterr().out
    assert report.splitlines()[0].startswith("\ufeffparticipant;name;counsellor")
    assert ";12;" in report.splitlines()[1]  # 12 days from orientation to the first meeting
    assert ";'=HYPERLINK(1);" in report.splitlines()[1]  # a name is never a formula
    assert main(["plan", "--now", "2026-12-03T10:00"]) == 0
    assert main(["contact", "7", "--kind", "phone"]) == 2
    with pytest.raises(SystemExit):
        main(["due", "--now", "demain"])
    from store.db import make_engine, make_session_factory

    engine = make_engine(cli_db)
    with make_session_factory(engine)() as session:
        p = session.scalars(select(Participant)).one()
        assert p.cer_signed_on == date(2026, 12, 2)
        assert session.scalars(select(CounsellorTask)).all() == []
    engine.dispose()


def test_command_line_enrol_by_phone(
    cli_db: str, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    from store.db import make_engine, make_session_factory
    from store.models import ChannelAccount

    caplog.set_level("DEBUG")
    assert main(["counsellor-add", "--name", "Claire Martin"]) == 0
    base = ["enrol", "--name", "Karim Haddad", "--orientation", "2026-11-20", "--counsellor", "1"]
    assert main([*base, "--phone", "03 28 12 34 56"]) == 2
    assert "il faut un portable (06 ou 07)" in capsys.readouterr().err
    assert main([*base, "--phone", "06 12 34"]) == 2
    assert "vérifiez les chiffres" in capsys.readouterr().err
    engine = make_engine(cli_db)
    with make_session_factory(engine)() as session:
        assert session.scalars(select(Participant)).all() == []  # nothing created
    assert main([*base, "--phone", "06 12 34 56 78"]) == 0
    out = capsys.readouterr().out
    assert "suivi par SMS" in out and "612345678" not in out
    assert main([*base, "--phone", "+33612345678"]) == 2
    assert "déjà inscrit" in capsys.readouterr().err
    with make_session_factory(engine)() as session:
        (participant,) = session.scalars(select(Participant)).all()
        account = session.scalars(select(ChannelAccount)).one()
        assert (account.channel, account.external_ref) == ("sms", "+33612345678")
        assert participant.person_id == account.person_id and participant.status == "active"
    engine.dispose()
    assert "612345678" not in caplog.text
