"""``make backup`` / restore on the local PostgreSQL server: what was saved comes back,
what was written after the backup is gone, and a failure says why without a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from app.build import open_database
from core.settings import load_settings
from store.backup import BackupError, backup, restore
from store.migrate import at_heads
from store.models import Person
from tests.pg import temporary_database

ROOT = Path(__file__).resolve().parents[2]


def people(url: str) -> list[int]:
    database = open_database(load_settings(database_url=url), migrate=False)
    try:
        with database.engine.connect() as connection:
            return list(connection.execute(text("SELECT id FROM people ORDER BY id")).scalars())
    finally:
        database.engine.dispose()


def add_person(url: str) -> None:
    database = open_database(load_settings(database_url=url), migrate=False)
    with database.sessions() as session:
        session.add(Person())
        session.commit()
    database.engine.dispose()


@pytest.mark.postgres
def test_backup_then_restore_brings_the_data_back(tmp_path: Path) -> None:
    with temporary_database("assistant_backup") as url:
        database = open_database(load_settings(database_url=url))  # migrated
        database.engine.dispose()
        add_person(url)
        saved = people(url)
        dump = backup(url, tmp_path / "one.dump")
        assert dump.stat().st_size > 0
        assert oct(dump.stat().st_mode & 0o777) == "0o600"
        add_person(url)  # written after the backup
        assert len(people(url)) == 2
        restore(url, dump)
        assert people(url) == saved
        database = open_database(load_settings(database_url=url), migrate=False)
        assert at_heads(database.engine)  # the migration state came back with the data
        database.engine.dispose()


@pytest.mark.postgres
def test_the_command_line_confirms_and_explains(tmp_path: Path) -> None:
    with temporary_database("assistant_backup") as url:
        env = {**os.environ, "DATABASE_URL": url}
        run = [sys.executable, "-m", "store"]
        made = subprocess.run(
            [*run, "backup", "--out", str(tmp_path / "x.dump")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert made.returncode == 0, made.stderr
        refused = subprocess.run(
            [*run, "restore", str(tmp_path / "x.dump")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert refused.returncode == 2
        assert "--yes" in refused.stderr
        missing = subprocess.run(
            [*run, "restore", str(tmp_path / "none.dump"), "--yes"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert missing.returncode == 1
        assert "no such dump" in missing.stderr
        assert "Traceback" not in missing.stderr


def test_sqlite_is_refused_with_a_reason(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="PostgreSQL"):
        backup(f"sqlite:///{tmp_path}/a.db", tmp_path / "a.dump")
