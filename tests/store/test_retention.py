"""Retention from config/retention.yaml: inactive people, old sign-ins and audit, per table."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from capabilities.assistant.assistant import Assistant
from core.clock import FrozenClock
from store import retention
from store.console_models import AuditEntry, LoginAttempt
from store.models import MessageLog, Person
from tests.chat import Chat

ROOT = Path(__file__).resolve().parents[2]
OLD_NAME = "Aldegonde Vieilleville"


async def _two_people(assistant: Assistant, clock: FrozenClock) -> None:
    old = Chat(assistant, user="old", display_name=OLD_NAME)
    await old.consent()
    await old.say("logement")
    with assistant.sessions() as session:
        session.add(LoginAttempt(email="a@b.fr", ip="203.0.113.9", ok=False, at=clock()))
        session.add(AuditEntry(actor="Claire", action="view", target=OLD_NAME, at=clock()))
        session.commit()
    clock.advance(days=25 * 30)  # 25 months later
    recent = Chat(assistant, user="recent", display_name="Samia")
    await recent.consent()
    with assistant.sessions() as session:
        session.add(LoginAttempt(email="a@b.fr", ip="203.0.113.9", ok=False, at=clock()))
        session.commit()


async def test_dry_run_counts_per_table_then_apply_deletes_only_that(
    assistant: Assistant, clock: FrozenClock, database_url: str
) -> None:
    await _two_people(assistant, clock)
    policy = retention.load_policy()
    with assistant.sessions() as session:
        outcome, people = retention.plan(session, clock(), policy)
        assert len(people) == 1
        assert outcome.counts["people"] == 1
        assert outcome.counts["messages"] >= 4  # both ways
        assert outcome.counts["conversations"] == 1
        assert outcome.counts["login_attempts"] == 1 and outcome.counts["audit_log"] == 1
        assert session.scalar(select(func.count()).select_from(Person)) == 2  # only counted
    with assistant.sessions() as session:
        done = retention.apply(session, clock(), policy)
        session.commit()
    assert done.counts == outcome.counts
    retention.after_delete(assistant.sessions.kw["bind"], done)
    with assistant.sessions() as session:
        names = list(session.scalars(select(Person.display_name)))
        assert names == ["Samia"]
        assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 1
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0
        assert session.scalar(select(func.count()).select_from(MessageLog)) > 0  # Samia's
    path = Path(database_url.removeprefix("sqlite:///"))
    for file in (path, path.with_name(path.name + "-wal")):
        if file.exists():
            assert OLD_NAME.encode() not in file.read_bytes(), file.name
    report = retention.report(done, dry_run=False)
    assert "people : 1 ligne supprimée" in report and "total :" in report


def test_a_wrong_value_names_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "retention.yaml"
    bad.write_text("people_inactive_months: douze\n", encoding="utf-8")
    with pytest.raises(retention.RetentionConfigError, match="people_inactive_months"):
        retention.load_policy(bad)
    bad.write_text("audit_month: 12\n", encoding="utf-8")
    with pytest.raises(retention.RetentionConfigError, match="audit_month"):
        retention.load_policy(bad)


def test_the_command_prints_per_table_counts(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}"}
    done = subprocess.run(
        [sys.executable, "-m", "store", "retention", "--dry-run"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "rétention : rien à supprimer\n"


def test_a_month_is_about_thirty_days() -> None:
    assert retention.Policy.months(24) == timedelta(days=730)
