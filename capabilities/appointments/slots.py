"""Free slots, computed purely from the agenda, the bookings and the clock.

Opening hours are wall-clock times in Paris; a slot is turned into UTC on its own day, so
the days clocks change (last Sunday of March and October) are right: a wall time that does
not exist is skipped, an ambiguous one takes its first occurrence. Public holidays are closed.
An individual slot has as many places as staff present and free then; a collective session
has its capacity minus the seats taken.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from core.calendar import is_public_holiday
from core.clock import PARIS

Interval = tuple[datetime, datetime]


def recurs_on(day: date, weekday: int, valid_from: date | None, valid_until: date | None) -> bool:
    """Does a weekly recurrence on ``weekday``, valid between the bounds, happen on ``day``?"""
    return (
        day.weekday() == weekday
        and (valid_from is None or day >= valid_from)
        and (valid_until is None or day <= valid_until)
    )


@dataclass(frozen=True, slots=True)
class MotifSpec:
    """What the slot computation needs of a motif."""

    id: str
    minutes: int
    kind: str  # individual | collective
    capacity: int = 0


@dataclass(frozen=True, slots=True)
class Opening:
    """Individual appointments on one weekday, with the staff present."""

    espace_id: str
    weekday: int
    start: time
    end: time
    staff_ids: tuple[int, ...]
    motif_ids: frozenset[str] = frozenset()  # empty: every individual motif
    valid_from: date | None = None
    valid_until: date | None = None

    def applies(self, day: date) -> bool:
        """Does this weekly opening happen on ``day``?"""
        return recurs_on(day, self.weekday, self.valid_from, self.valid_until)


@dataclass(frozen=True, slots=True)
class SessionSpec:
    """A weekly collective session."""

    espace_id: str
    motif_id: str
    weekday: int
    start: time
    capacity: int
    valid_from: date | None = None
    valid_until: date | None = None

    def applies(self, day: date) -> bool:
        """Does this weekly session happen on ``day``?"""
        return recurs_on(day, self.weekday, self.valid_from, self.valid_until)


@dataclass(frozen=True, slots=True)
class ClosureSpec:
    """A closed day (``start``/``end`` None) or part of a day."""

    espace_id: str
    day: date
    start: time | None = None
    end: time | None = None


@dataclass(frozen=True)
class Calendar:
    """The whole agenda: motifs, openings, sessions, closures and the booking window."""

    motifs: Mapping[str, MotifSpec]
    openings: tuple[Opening, ...] = ()
    sessions: tuple[SessionSpec, ...] = ()
    closures: tuple[ClosureSpec, ...] = ()
    min_delay: timedelta = timedelta(hours=2)
    horizon_days: int = 60


@dataclass
class Occupancy:
    """What is already taken: staff busy intervals and seats per collective session."""

    # staff id → UTC date of the start → (start, end) in epoch seconds (bookings < 1 day)
    busy: dict[int, dict[date, list[tuple[int, int]]]] = field(default_factory=dict)
    seats: dict[tuple[str, str, datetime], int] = field(default_factory=dict)

    def add_busy(self, staff_id: int, start: datetime, end: datetime) -> None:
        """A staff member is taken between ``start`` and ``end``."""
        days = self.busy.setdefault(staff_id, {})
        bucket = days.setdefault(start.astimezone(UTC).date(), [])
        bucket.append((int(start.timestamp()), int(end.timestamp())))

    def around(self, staff_id: int, day: date) -> list[tuple[int, int]]:
        """A staff member's busy intervals (epoch seconds) touching the Paris day ``day``."""
        days = self.busy.get(staff_id)
        if not days:
            return []
        opens = datetime.combine(day, time(0), tzinfo=PARIS).timestamp()
        closes = datetime.combine(day + timedelta(days=1), time(0), tzinfo=PARIS).timestamp()
        return [
            (s, e)
            for offset in (-1, 0, 1)
            for s, e in days.get(day + timedelta(days=offset), ())
            if s < closes and e > opens
        ]

    def is_free(self, staff_id: int, start: datetime, end: datetime) -> bool:
        """Is a staff member free for the whole of [start, end)?"""
        a, b = start.timestamp(), end.timestamp()
        day = start.astimezone(PARIS).date()
        return all(e <= a or s >= b for s, e in self.around(staff_id, day))


@dataclass(frozen=True, slots=True)
class Slot:
    """A bookable moment with its free places (and, individual, which staff are free)."""

    espace_id: str
    motif_id: str
    start: datetime  # UTC
    end: datetime  # UTC
    free: int
    staff_free: tuple[int, ...] = ()

    @property
    def local_day(self) -> date:
        """The day in Paris."""
        return self.start.astimezone(PARIS).date()


def paris_moment(day: date, wall: time) -> datetime | None:
    """The UTC instant of a Paris wall-clock time; ``None`` if it does not exist (DST gap)."""
    local = datetime.combine(day, wall, tzinfo=PARIS)
    instant = local.astimezone(UTC)
    back = instant.astimezone(PARIS)
    if back.date() != day or back.time() != wall:
        return None
    return instant


def day_closed_reason(calendar: Calendar, espace_id: str, day: date) -> str | None:
    """Why an Espace takes no appointment on ``day`` ("holiday", "closed", "none"), or None."""
    if is_public_holiday(day):
        return "holiday"
    for closure in calendar.closures:
        if closure.espace_id == espace_id and closure.day == day and closure.start is None:
            return "closed"
    opens = any(o.espace_id == espace_id and o.applies(day) for o in calendar.openings) or any(
        s.espace_id == espace_id and s.applies(day) for s in calendar.sessions
    )
    return None if opens else "none"


def _closed_parts(calendar: Calendar, espace_id: str, day: date) -> list[Interval]:
    parts = []
    for closure in calendar.closures:
        if closure.espace_id == espace_id and closure.day == day:
            if closure.start is None or closure.end is None:
                return [(datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC))]
            start = paris_moment(day, closure.start) or datetime.combine(
                day, closure.start, tzinfo=PARIS
            )
            end = paris_moment(day, closure.end) or datetime.combine(day, closure.end, tzinfo=PARIS)
            parts.append((start, end))
    return parts


@dataclass
class _Cache:
    """Conversions and busy lists shared by every motif of one search."""

    occupancy: Occupancy
    moments: dict[tuple[date, time], tuple[datetime, float] | None] = field(default_factory=dict)
    busy: dict[tuple[int, date], list[tuple[int, int]]] = field(default_factory=dict)
    shifts: dict[date, bool] = field(default_factory=dict)
    today: dict[tuple[str, date], list[Opening]] = field(default_factory=dict)

    def openings(self, calendar: Calendar, espace_id: str, day: date) -> list[Opening]:
        """The individual openings of an Espace on a day."""
        key = (espace_id, day)
        if key not in self.today:
            self.today[key] = [
                o for o in calendar.openings if o.espace_id == espace_id and o.applies(day)
            ]
        return self.today[key]

    def moment(self, day: date, wall: time) -> tuple[datetime, float] | None:
        """The UTC instant and epoch seconds of a Paris wall time (None in a DST gap)."""
        key = (day, wall)
        if key not in self.moments:
            instant = paris_moment(day, wall)
            self.moments[key] = (instant, instant.timestamp()) if instant else None
        return self.moments[key]

    def around(self, staff: int, day: date) -> list[tuple[int, int]]:
        """Busy intervals of a staff member on a day."""
        key = (staff, day)
        if key not in self.busy:
            self.busy[key] = self.occupancy.around(staff, day)
        return self.busy[key]

    def clocks_change(self, day: date) -> bool:
        """Is ``day`` a DST day in Paris (23 or 25 hours)?"""
        if day not in self.shifts:
            first = datetime.combine(day, time(0), tzinfo=PARIS).utcoffset()
            last = datetime.combine(day, time(23, 59), tzinfo=PARIS).utcoffset()
            self.shifts[day] = first != last
        return self.shifts[day]


def _individual(
    cache: _Cache,
    calendar: Calendar,
    motif: MotifSpec,
    espace_id: str,
    day: date,
    earliest: datetime,
    closed: list[Interval],
) -> list[Slot]:
    duration = timedelta(minutes=motif.minutes)
    seconds = motif.minutes * 60
    shifting = cache.clocks_change(day)
    staff_at: dict[datetime, set[int]] = {}
    epochs: dict[datetime, float] = {}
    for opening in cache.openings(calendar, espace_id, day):
        if opening.motif_ids and motif.id not in opening.motif_ids:
            continue
        wall = datetime.combine(day, opening.start)
        last = datetime.combine(day, opening.end) - duration
        while wall <= last:
            found = cache.moment(day, wall.time())
            wall += duration
            if found is None or found[0] < earliest:
                continue
            start, epoch = found
            end = start + duration
            if shifting:
                local_end = end.astimezone(PARIS)
                if local_end.date() != day or local_end.time() > opening.end:
                    continue  # the clock change made it run past the closing time
            if closed and any(s < end and e > start for s, e in closed):
                continue
            staff_at.setdefault(start, set()).update(opening.staff_ids)
            epochs[start] = epoch
    slots = []
    for start in sorted(staff_at):
        a = epochs[start]
        b = a + seconds
        free = tuple(
            sorted(
                staff
                for staff in staff_at[start]
                if all(e <= a or s >= b for s, e in cache.around(staff, day))
            )
        )
        if free:
            slots.append(Slot(espace_id, motif.id, start, start + duration, len(free), free))
    return slots


def _collective(
    calendar: Calendar,
    occupancy: Occupancy,
    motif: MotifSpec,
    espace_id: str,
    day: date,
    earliest: datetime,
    closed: list[Interval],
) -> list[Slot]:
    duration = timedelta(minutes=motif.minutes)
    slots = []
    for session in calendar.sessions:
        if session.espace_id != espace_id or session.motif_id != motif.id:
            continue
        if not session.applies(day):
            continue
        start = paris_moment(day, session.start)
        if start is None or start < earliest:
            continue
        end = start + duration
        if any(s < end and e > start for s, e in closed):
            continue
        free = session.capacity - occupancy.seats.get((espace_id, motif.id, start), 0)
        if free > 0:
            slots.append(Slot(espace_id, motif.id, start, end, free))
    return slots


def window(calendar: Calendar, now: datetime) -> tuple[datetime, date]:
    """The earliest bookable instant and the last bookable day (Paris)."""
    earliest = now + calendar.min_delay
    last_day = now.astimezone(PARIS).date() + timedelta(days=calendar.horizon_days)
    return earliest, last_day


def free_slots(
    calendar: Calendar,
    occupancy: Occupancy,
    now: datetime,
    *,
    espace_ids: Iterable[str],
    motif_ids: Iterable[str],
    first_day: date | None = None,
    last_day: date | None = None,
) -> list[Slot]:
    """Every free slot in the booking window (or the given days), in time order."""
    earliest, horizon = window(calendar, now)
    day = max(first_day or earliest.astimezone(PARIS).date(), earliest.astimezone(PARIS).date())
    last = min(last_day or horizon, horizon)
    espaces = list(espace_ids)
    motifs = [calendar.motifs[m] for m in motif_ids if m in calendar.motifs]
    slots: list[Slot] = []
    cache = _Cache(occupancy)
    while day <= last:
        if not is_public_holiday(day):
            for espace_id in espaces:
                closed = _closed_parts(calendar, espace_id, day)
                for motif in motifs:
                    if motif.kind == "individual":
                        found = _individual(
                            cache, calendar, motif, espace_id, day, earliest, closed
                        )
                    else:
                        found = _collective(
                            calendar, occupancy, motif, espace_id, day, earliest, closed
                        )
                    slots.extend(found)
        day += timedelta(days=1)
    slots.sort(key=lambda s: (s.start, s.espace_id, s.motif_id))
    return slots


def find_slot(
    calendar: Calendar,
    occupancy: Occupancy,
    now: datetime,
    *,
    espace_id: str,
    motif_id: str,
    start: datetime,
) -> Slot | None:
    """The free slot starting exactly at ``start``, if it exists and has a place."""
    day = start.astimezone(PARIS).date()
    for slot in free_slots(
        calendar,
        occupancy,
        now,
        espace_ids=[espace_id],
        motif_ids=[motif_id],
        first_day=day,
        last_day=day,
    ):
        if slot.start == start:
            return slot
    return None
