"""Read the agenda and the bookings from the database into the pure slot computation."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta

from capabilities.appointments.config import Rules
from capabilities.appointments.slots import (
    Calendar,
    ClosureSpec,
    MotifSpec,
    Occupancy,
    Opening,
    SessionSpec,
    Slot,
    free_slots,
)
from core.clock import PARIS
from store import repo_agenda
from store.db import Session

CACHE_SECONDS = 60.0
_cache: dict[tuple[str, Rules], tuple[float, int, Calendar]] = {}
_generation = [0]


def forget_calendars() -> None:
    """The agenda changed (``sync_config``, a console edit): the next search reloads it."""
    _generation[0] += 1
    _cache.clear()


def load_calendar(session: Session, rules: Rules) -> Calendar:
    """The agenda, cached a minute per database (a sync in this process resets it)."""
    key = (repo_agenda.database_key(session), rules)
    hit = _cache.get(key)
    if hit and hit[1] == _generation[0] and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[2]
    calendar = read_calendar(session, rules)
    _cache[key] = (time.monotonic(), _generation[0], calendar)
    return calendar


def read_calendar(session: Session, rules: Rules) -> Calendar:
    """The agenda (files and console edits), read from the database: active rows only."""
    motifs = {
        m.id: MotifSpec(m.id, m.duration_min, m.kind, m.capacity or 0)
        for m in repo_agenda.active_motifs(session)
    }
    staff: dict[int, list[int]] = defaultdict(list)
    for period_id, staff_id in repo_agenda.present_staff(session):
        staff[period_id].append(staff_id)
    openings: list[Opening] = []
    sessions: list[SessionSpec] = []
    for p in repo_agenda.open_periods(session):
        if p.motif_id is None:
            openings.append(
                Opening(
                    p.espace_id,
                    p.weekday,
                    p.start,
                    p.end,
                    tuple(sorted(staff[p.id])),
                    frozenset(p.motif_ids or ()),
                    p.valid_from,
                    p.valid_until,
                )
            )
        elif p.motif_id in motifs:
            capacity = p.capacity or motifs[p.motif_id].capacity
            sessions.append(
                SessionSpec(
                    p.espace_id,
                    p.motif_id,
                    p.weekday,
                    p.start,
                    capacity,
                    p.valid_from,
                    p.valid_until,
                )
            )
    closures = tuple(
        ClosureSpec(c.espace_id, c.day, c.start, c.end)
        for c in repo_agenda.active_closures(session)
    )
    return Calendar(
        motifs=motifs,
        openings=tuple(openings),
        sessions=tuple(sessions),
        closures=closures,
        min_delay=timedelta(hours=rules.min_delay_hours),
        horizon_days=rules.horizon_days,
    )


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A Paris day as a UTC interval (23 or 25 hours on DST days)."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=PARIS)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=PARIS)
    return start, end


def load_occupancy(
    session: Session,
    start: datetime,
    end: datetime,
    espace_ids: list[str] | None = None,
    exclude: int | None = None,
) -> Occupancy:
    """Active bookings overlapping [start, end): who is busy, which seats are taken."""
    occupancy = Occupancy()
    for row in repo_agenda.busy(session, start, end, espace_ids):
        if row.id == exclude:
            continue
        if row.staff_id is not None:
            occupancy.add_busy(row.staff_id, row.starts_at, row.ends_at)
        if row.seat is not None:
            key = (row.espace_id, row.motif_id, row.starts_at)
            occupancy.seats[key] = occupancy.seats.get(key, 0) + 1
    return occupancy


def search(
    session: Session,
    rules: Rules,
    now: datetime,
    *,
    espace_ids: list[str],
    motif_ids: list[str],
    first_day: date | None = None,
    last_day: date | None = None,
    calendar: Calendar | None = None,
    staff_id: int | None = None,
) -> list[Slot]:
    """Free slots from the database (one query for the agenda, one for the bookings).

    ``staff_id``: only the individual slots where that staff member is free (a programme
    meeting with the participant's referent, :mod:`.referent`).
    """
    calendar = calendar or load_calendar(session, rules)
    first = first_day or now.astimezone(PARIS).date()
    last = last_day or first + timedelta(days=rules.horizon_days + 1)
    occupancy = load_occupancy(session, day_bounds(first)[0], day_bounds(last)[1], espace_ids)
    slots = free_slots(
        calendar,
        occupancy,
        now,
        espace_ids=espace_ids,
        motif_ids=motif_ids,
        first_day=first_day,
        last_day=last_day,
    )
    if staff_id is None:
        return slots
    return [replace(s, staff_free=(staff_id,)) for s in slots if staff_id in s.staff_free]
