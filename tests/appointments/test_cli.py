"""The staff command line: attendance, exports, a day's list."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from capabilities.appointments.__main__ import main
from capabilities.appointments.booking import book
from capabilities.appointments.config import Rules
from core.clock import FrozenClock
from core.settings import get_settings
from tests.appointments.conftest import NOW, add_people, prepare


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url  # type: ignore[misc]
    get_settings.cache_clear()


def test_attendance_export_stats_and_day(
    database: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sessions = prepare(database)
    past = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    with sessions() as session:
        a, b = add_people(session, 2)
        seen = book(
            session,
            person_id=a,
            espace_id="saint_pol",
            motif_id="info",
            start=past,
            now=NOW,
            rules=Rules(),
        )
        missed = book(
            session,
            person_id=b,
            espace_id="saint_pol",
            motif_id="info",
            start=past,
            now=NOW,
            rules=Rules(),
        )
        session.commit()
    later = FrozenClock(datetime(2026, 11, 26, 12, 0, tzinfo=UTC))
    assert main(["attendance", str(seen.id), "seen"], clock=later) == 0
    assert main(["attendance", str(missed.id), "noshow"], clock=later) == 0
    assert main(["attendance", "999", "seen"], clock=later) == 1
    capsys.readouterr()
    assert main(["stats"]) == 0
    stats = capsys.readouterr().out.splitlines()
    assert stats[0].startswith("\ufeffespace;motif;bookings")
    assert stats[1].startswith("saint_pol;info;2;0;0;1;1;0;0;0.5;")
    out = tmp_path / "bookings.csv"
    assert main(["export", "--out", str(out)]) == 0
    rows = out.read_text(encoding="utf-8").splitlines()
    assert len(rows) == 3 and "2026-11-26 09:00" in rows[1] and ";noshow;" in rows[2]
    assert main(["day", "2026-11-26"]) == 0
    assert "9 h 00" in capsys.readouterr().out
