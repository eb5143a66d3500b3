"""Write the checked configuration into the agenda tables (idempotent, at start-up).

The files seed the agenda; admins then edit it in the console. Who owns a row is stored in
``managed_by``, and a restart never overwrites a console edit:

- a row the files describe and that does not exist yet is created (``config``);
- a ``config`` row follows the files: updated, or removed (a period, a closure) or
  deactivated (an Espace, a motif) when the files drop it;
- a ``console`` row (created, edited or removed in the console) is never touched; a file
  entry whose key belongs to it is skipped, and so is a new file period that would overlap
  an active console period of the same Espace and day (the console wins; logged).

Periods and closures have no name: their ``config_key`` is built from what the file says
(Espace, day, hours, motif, staff, dates), so an unchanged entry keeps its row and its id.
Bookings are never touched.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from capabilities.appointments.admin_checks import dates_meet
from capabilities.appointments.agenda import forget_calendars
from capabilities.appointments.config import WEEKDAYS, AppointmentsConfig
from capabilities.information.espaces import EspaceConfig
from store import repo_agenda_admin
from store.appointments import Closure, Espace, Motif, OpeningPeriod, PeriodStaff
from store.db import Session
from store.staff import Staff

log = logging.getLogger(__name__)


def _end_of(start: time, minutes: int) -> time:
    moment = datetime.combine(date(2000, 1, 3), start) + timedelta(minutes=minutes)
    return moment.time()


def config_key(kind: str, espace: str, weekday: int | str, what: object) -> str:
    """A stable name for one file entry (≤ 160 characters): readable head, digest of the rest."""
    digest = hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()
    return f"{kind}:{espace}:{weekday}:{digest[:20]}"


def _sync_espaces(session: Session, espaces: list[EspaceConfig]) -> None:
    known = {e.id: e for e in repo_agenda_admin.all_espaces(session)}
    for item in espaces:
        espace = known.pop(item.id, None)
        if espace is not None and espace.managed_by == "console":
            log.info("Espace %s : géré dans la console, espaces.yaml ignoré", item.id)
            continue
        espace = espace or Espace(id=item.id, managed_by="config")
        espace.name, espace.commune, espace.active = item.name, item.commune, True
        espace.address, espace.phone = item.address, item.phone
        espace.opening_hours, espace.access_notes = item.opening_hours, item.access_notes
        espace.latitude, espace.longitude = item.latitude, item.longitude
        session.add(espace)
    for stale in known.values():
        if stale.managed_by == "config":
            stale.active = False  # dropped from the file; its bookings keep it


def _sync_motifs(session: Session, config: AppointmentsConfig) -> None:
    motifs = {m.id: m for m in repo_agenda_admin.all_motifs(session)}
    for position, m in enumerate(config.motifs):
        motif = motifs.pop(m.id, None)
        if motif is not None and motif.managed_by == "console":
            log.info("motif %s : géré dans la console, appointments.yaml ignoré", m.id)
            continue
        motif = motif or Motif(id=m.id, managed_by="config")
        motif.label, motif.duration_min, motif.kind = m.label, m.duration_min, m.kind
        motif.capacity, motif.rsa, motif.physical = m.capacity, m.rsa, m.physical
        motif.bring, motif.position, motif.active = list(m.bring), position, True
        session.add(motif)
    for stale in motifs.values():
        if stale.managed_by == "config":
            stale.active = False  # old bookings keep their motif


def _staff_ids(session: Session, config: AppointmentsConfig) -> dict[str, int]:
    staff_ids: dict[str, int] = {}
    for member in config.staff:
        found = repo_agenda_admin.staff_by_email(session, member.email)
        if found is None:
            found = Staff(name=member.name, email=member.email, role="counsellor")
            session.add(found)
            session.flush()
        staff_ids[member.key] = found.id
    return staff_ids


def _wanted_periods(
    config: AppointmentsConfig, staff_ids: dict[str, int], durations: dict[str, int]
) -> dict[str, tuple[OpeningPeriod, list[int]]]:
    """The periods and sessions of the file, by key, with the staff present.

    A session ends after its motif's duration as stored (the console may have changed it).
    """
    wanted: dict[str, tuple[OpeningPeriod, list[int]]] = {}
    for period in config.periods:
        staff = list(dict.fromkeys(staff_ids[key] for key in period.staff))
        for weekday in period.weekdays:
            what = [period.start, period.end, sorted(period.motifs), sorted(staff)]
            what += [period.valid_from, period.valid_until]
            key = config_key("period", period.espace, weekday, what)
            row = OpeningPeriod(
                espace_id=period.espace,
                weekday=WEEKDAYS.index(weekday),
                start=period.start,
                end=period.end,
                motif_ids=list(period.motifs),
                valid_from=period.valid_from,
                valid_until=period.valid_until,
                example=config.example,
                active=True,
                managed_by="config",
                config_key=key,
            )
            wanted.setdefault(key, (row, staff))
    for s in config.sessions:
        motif_config = config.motif(s.motif)
        assert motif_config is not None  # checked at load
        for weekday in s.weekdays:
            what = [s.motif, s.start, s.capacity, s.valid_from, s.valid_until]
            what.append(motif_config.duration_min)
            key = config_key("session", s.espace, weekday, what)
            row = OpeningPeriod(
                espace_id=s.espace,
                weekday=WEEKDAYS.index(weekday),
                start=s.start,
                end=_end_of(s.start, durations.get(s.motif, motif_config.duration_min)),
                motif_id=s.motif,
                capacity=s.capacity,  # None: the motif's capacity (the console may change it)
                motif_ids=[],
                valid_from=s.valid_from,
                valid_until=s.valid_until,
                example=config.example,
                active=True,
                managed_by="config",
                config_key=key,
            )
            wanted.setdefault(key, (row, []))
    return wanted


def _overlaps_console(row: OpeningPeriod, console_rows: Iterable[OpeningPeriod]) -> bool:
    """Does a file period overlap an active console period of the same kind, Espace and day?"""
    return any(
        other.espace_id == row.espace_id
        and other.weekday == row.weekday
        and (other.motif_id is None) == (row.motif_id is None)
        and other.start < row.end
        and row.start < other.end
        and dates_meet(row.valid_from, row.valid_until, other.valid_from, other.valid_until)
        for other in console_rows
    )


def _sync_periods(session: Session, config: AppointmentsConfig, staff_ids: dict[str, int]) -> None:
    durations = repo_agenda_admin.motif_durations(session)
    wanted = _wanted_periods(config, staff_ids, durations)
    rows = repo_agenda_admin.all_periods(session)
    console_rows = [r for r in rows if r.managed_by == "console" and r.active]
    handled = {r.config_key for r in rows if r.managed_by != "config" and r.config_key}
    for row in rows:
        if row.managed_by != "config":
            continue
        if row.config_key in wanted:
            row.example, row.active = config.example, True
            row.end = wanted.pop(row.config_key)[0].end
        else:
            session.delete(row)  # dropped from the file (period_staff rows cascade)
    session.flush()
    for key, (row, staff) in wanted.items():
        if key in handled:
            log.info("plage %s : reprise dans la console, appointments.yaml ignoré", key)
            continue
        if _overlaps_console(row, console_rows):
            log.warning(
                "plage %s du fichier ignorée : elle chevauche une plage gérée dans la console", key
            )
            continue
        session.add(row)
        session.flush()
        session.add_all(PeriodStaff(period_id=row.id, staff_id=staff_id) for staff_id in staff)


def _sync_closures(session: Session, config: AppointmentsConfig) -> None:
    wanted: dict[str, Closure] = {}
    for c in config.closures:
        key = config_key("closure", c.espace, c.date.isoformat(), [c.start, c.end, c.reason])
        wanted[key] = Closure(
            espace_id=c.espace,
            day=c.date,
            start=c.start,
            end=c.end,
            reason=c.reason,
            active=True,
            managed_by="config",
            config_key=key,
        )
    for row in repo_agenda_admin.all_closures(session):
        if row.managed_by != "config":
            wanted.pop(row.config_key or "", None)  # taken over or removed in the console
        elif row.config_key in wanted:
            del wanted[row.config_key]
        else:
            session.delete(row)
    session.add_all(wanted.values())


def sync_config(session: Session, config: AppointmentsConfig, espaces: list[EspaceConfig]) -> None:
    """Make the ``config`` rows say what the files say; ``console`` rows and bookings stay."""
    _sync_espaces(session, espaces)
    _sync_motifs(session, config)
    staff_ids = _staff_ids(session, config)
    session.flush()
    _sync_periods(session, config, staff_ids)
    _sync_closures(session, config)
    session.flush()
    forget_calendars()
