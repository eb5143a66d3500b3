"""The files seed the agenda; a restart never overwrites what admins changed in the console.

On SQLite and PostgreSQL: edit, create and remove rows as the console does, then run the
start-up sync again (with the same files, then with changed files).
"""

from __future__ import annotations

from datetime import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from capabilities.appointments.admin import EspaceInput, MotifInput, save_espace, save_motif
from capabilities.appointments.admin_periods import (
    ClosureInput,
    PeriodInput,
    remove_closure,
    remove_period,
    save_closure,
    save_period,
)
from capabilities.appointments.sync import sync_config
from capabilities.information.espaces import load_espaces
from store.appointments import Closure, Espace, Motif, OpeningPeriod, PeriodStaff
from store.db import SessionFactory
from tests.appointments.conftest import NOW, make_config, raw_config


def periods(session: Session) -> list[tuple[str, int, str, str, str, bool]]:
    rows = session.scalars(
        select(OpeningPeriod).order_by(
            OpeningPeriod.espace_id, OpeningPeriod.weekday, OpeningPeriod.start
        )
    )
    return [
        (
            p.espace_id,
            p.weekday,
            f"{p.start:%H:%M}-{p.end:%H:%M}",
            p.managed_by,
            p.motif_id or "",
            p.active,
        )
        for p in rows
    ]


def period_id(session: Session, espace: str, weekday: int, start: time) -> int:
    return session.scalars(
        select(OpeningPeriod.id).where(
            OpeningPeriod.espace_id == espace,
            OpeningPeriod.weekday == weekday,
            OpeningPeriod.start == start,
        )
    ).one()


def restart(session: Session, **changes: Any) -> None:
    sync_config(session, make_config(**changes), load_espaces())
    session.commit()


def test_a_restart_with_the_same_files_changes_nothing(any_sessions: SessionFactory) -> None:
    with any_sessions() as session:
        before = periods(session)
        ids = sorted(session.scalars(select(OpeningPeriod.id)))
        restart(session)
        assert periods(session) == before
        assert sorted(session.scalars(select(OpeningPeriod.id))) == ids  # rows kept, not rewritten


def test_a_restart_keeps_every_console_edit(any_sessions: SessionFactory) -> None:
    with any_sessions() as session:
        monday = period_id(session, "saint_pol", 0, time(9))
        save_period(  # a file period edited: Monday mornings until 13:00, two agents
            session,
            PeriodInput("saint_pol", 0, time(9), time(13), staff_ids=(1, 2)),
            period_id=monday,
            now=NOW,
        )
        remove_period(session, period_id(session, "gare", 1, time(14)), now=NOW)
        save_period(  # a new one
            session,
            PeriodInput("gare", 6, time(10), time(12), staff_ids=(2,)),
            period_id=None,
            now=NOW,
        )
        save_motif(
            session, MotifInput("info", "Infos métiers", 20, "individual"), new=False, now=NOW
        )
        save_espace(
            session,
            EspaceInput(
                "gare",
                "Espace de la gare",
                "Dunkerque",
                address="Place de la gare, 59140 Dunkerque",
            ),
            new=False,
            now=NOW,
        )
        (file_closure,) = session.scalars(select(Closure))
        remove_closure(session, file_closure.id)
        save_closure(
            session,
            ClosureInput("saint_pol", NOW.date().replace(day=30), reason="Inventaire"),
            now=NOW,
        )
        session.commit()
        edited = periods(session)
        restart(session)
        assert periods(session) == edited
        assert [r for r in periods(session) if r[:2] == ("saint_pol", 0)] == [
            ("saint_pol", 0, "09:00-13:00", "console", "", True)
        ]
        assert session.scalars(
            select(PeriodStaff.staff_id).where(PeriodStaff.period_id == monday)
        ).all() == [1, 2]
        motif = session.get(Motif, "info")
        assert motif is not None and (motif.label, motif.duration_min) == ("Infos métiers", 20)
        gare = session.get(Espace, "gare")
        assert gare is not None and gare.address == "Place de la gare, 59140 Dunkerque"
        closures = [
            (c.reason, c.active, c.managed_by)
            for c in session.scalars(select(Closure).order_by(Closure.id))
        ]
        assert closures == [("Fermé (test)", False, "console"), ("Inventaire", True, "console")]


def test_file_rows_follow_the_files_and_do_not_overlap_the_console(
    any_sessions: SessionFactory,
) -> None:
    with any_sessions() as session:
        save_period(  # the console owns Saturday afternoons at the gare
            session,
            PeriodInput("gare", 5, time(14), time(17), staff_ids=(3,)),
            period_id=None,
            now=NOW,
        )
        session.commit()
        raw = raw_config()
        raw["periods"][1]["weekdays"] = ["mon", "sat"]  # the file adds Saturday afternoons too
        raw["periods"][1]["end"] = "16:00"
        raw["motifs"][0]["label"] = "Information (nouveau libellé)"
        restart(session, periods=raw["periods"], motifs=raw["motifs"])
        gare = [r for r in periods(session) if r[0] == "gare"]
        assert gare == [
            ("gare", 0, "14:00-16:00", "config", "", True),  # followed the file
            ("gare", 5, "14:00-17:00", "console", "", True),  # the file's Saturday skipped
        ]
        motif = session.get(Motif, "info")
        assert motif is not None and motif.label == "Information (nouveau libellé)"
        espace = session.get(Espace, "saint_pol")
        assert espace is not None and espace.managed_by == "config" and espace.address is None
