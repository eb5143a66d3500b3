"""Free slots: DST days, public holidays, closures, staff capacity, the booking window."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from capabilities.appointments.slots import (
    Calendar,
    ClosureSpec,
    MotifSpec,
    Occupancy,
    Opening,
    SessionSpec,
    day_closed_reason,
    free_slots,
)
from core.clock import PARIS

INFO = MotifSpec("info", 30, "individual")
LONG = MotifSpec("rsa", 45, "individual")
GROUP = MotifSpec("group", 120, "collective", 3)
WEEK = range(7)


def calendar(*openings: Opening, **kwargs: object) -> Calendar:
    return Calendar(
        motifs={m.id: m for m in (INFO, LONG, GROUP)},
        openings=openings,
        **kwargs,  # type: ignore[arg-type]
    )


def every_day(start: time, end: time, staff: tuple[int, ...] = (1,)) -> tuple[Opening, ...]:
    return tuple(Opening("sp", d, start, end, staff) for d in WEEK)


def slots_on(
    cal: Calendar,
    day: date,
    motif: str = "info",
    occ: Occupancy | None = None,
    now: datetime | None = None,
) -> list[datetime]:
    now = now or datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(days=3)
    found = free_slots(
        cal,
        occ or Occupancy(),
        now,
        espace_ids=["sp"],
        motif_ids=[motif],
        first_day=day,
        last_day=day,
    )
    return [s.start for s in found]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_spring_forward_sunday_skips_the_missing_hour() -> None:
    cal = calendar(*every_day(time(1, 0), time(4, 0)))
    starts = slots_on(cal, date(2026, 3, 29))
    # 1:00, 1:30 (CET), no 2:00/2:30 (they do not exist), 3:00, 3:30 (CEST)
    assert starts == [
        utc(2026, 3, 29, 0, 0),
        utc(2026, 3, 29, 0, 30),
        utc(2026, 3, 29, 1, 0),
        utc(2026, 3, 29, 1, 30),
    ]
    assert [s.astimezone(PARIS).hour for s in starts] == [1, 1, 3, 3]


def test_fall_back_sunday_has_no_duplicate_slot() -> None:
    cal = calendar(*every_day(time(1, 0), time(4, 0)))
    starts = slots_on(cal, date(2026, 10, 25))
    assert len(starts) == len(set(starts)) == 6
    assert starts[0] == utc(2026, 10, 24, 23, 0)  # 1:00 CEST
    assert starts[-1] == utc(2026, 10, 25, 2, 30)  # 3:30 CET


def test_paris_opening_hours_follow_the_clock_change() -> None:
    cal = calendar(*every_day(time(9, 0), time(10, 0)))
    assert slots_on(cal, date(2026, 3, 28))[0] == utc(2026, 3, 28, 8, 0)  # winter: UTC+1
    assert slots_on(cal, date(2026, 3, 30))[0] == utc(2026, 3, 30, 7, 0)  # summer: UTC+2
    assert slots_on(cal, date(2026, 10, 26))[0] == utc(2026, 10, 26, 8, 0)


def test_public_holidays_are_closed_without_configuration() -> None:
    cal = calendar(*every_day(time(9, 0), time(12, 0)))
    for holiday in (date(2026, 12, 25), date(2027, 1, 1), date(2027, 5, 1), date(2027, 7, 14)):
        assert slots_on(cal, holiday) == []
        assert day_closed_reason(cal, "sp", holiday) == "holiday"
    assert slots_on(cal, date(2026, 12, 24))


def test_closures_whole_day_and_part_of_a_day() -> None:
    cal = calendar(
        *every_day(time(9, 0), time(12, 0)),
        closures=(
            ClosureSpec("sp", date(2026, 12, 2)),
            ClosureSpec("sp", date(2026, 12, 3), time(10, 0), time(12, 0)),
        ),
    )
    assert slots_on(cal, date(2026, 12, 2)) == []
    assert day_closed_reason(cal, "sp", date(2026, 12, 2)) == "closed"
    starts = slots_on(cal, date(2026, 12, 3))
    assert [s.astimezone(PARIS).time() for s in starts] == [time(9, 0), time(9, 30)]


def test_no_opening_on_a_weekday_is_a_closed_day() -> None:
    cal = calendar(Opening("sp", 0, time(9, 0), time(12, 0), (1,)))
    assert day_closed_reason(cal, "sp", date(2026, 12, 1)) == "none"  # a Tuesday
    assert day_closed_reason(cal, "sp", date(2026, 11, 30)) is None


def test_individual_capacity_is_the_staff_free_then() -> None:
    cal = calendar(*every_day(time(9, 0), time(12, 0), staff=(1, 2, 3)))
    day = date(2026, 12, 1)
    nine = datetime.combine(day, time(9, 0), tzinfo=PARIS).astimezone(UTC)
    occupancy = Occupancy()
    occupancy.add_busy(1, nine, nine + timedelta(minutes=45))  # a 45-min meeting at 9:00
    found = free_slots(
        cal,
        occupancy,
        nine - timedelta(days=1),
        espace_ids=["sp"],
        motif_ids=["info"],
        first_day=day,
        last_day=day,
    )
    by_start = {s.start.astimezone(PARIS).time(): s for s in found}
    assert by_start[time(9, 0)].free == 2 and by_start[time(9, 0)].staff_free == (2, 3)
    assert by_start[time(9, 30)].free == 2  # staff 1 still busy until 9:45
    assert by_start[time(10, 0)].free == 3
    for staff in (2, 3):
        occupancy.add_busy(staff, nine, nine + timedelta(minutes=30))
    full = free_slots(
        cal,
        occupancy,
        nine - timedelta(days=1),
        espace_ids=["sp"],
        motif_ids=["info"],
        first_day=day,
        last_day=day,
    )
    assert time(9, 0) not in {s.start.astimezone(PARIS).time() for s in full}


def test_slots_fit_inside_the_opening() -> None:
    cal = calendar(*every_day(time(9, 0), time(10, 0)))
    starts = slots_on(cal, date(2026, 12, 1), motif="rsa")
    assert [s.astimezone(PARIS).time() for s in starts] == [time(9, 0)]  # 9:45 would end at 10:30


def test_collective_session_capacity_minus_seats() -> None:
    cal = calendar(sessions=(SessionSpec("sp", "group", 1, time(14, 0), 3),))
    day = date(2026, 12, 1)
    start = datetime.combine(day, time(14, 0), tzinfo=PARIS).astimezone(UTC)
    occupancy = Occupancy(seats={("sp", "group", start): 2})
    found = free_slots(
        cal, occupancy, start - timedelta(days=1), espace_ids=["sp"], motif_ids=["group"]
    )
    assert found[0].start == start and found[0].free == 1
    occupancy.seats[("sp", "group", start)] = 3
    found = free_slots(
        cal, occupancy, start - timedelta(days=1), espace_ids=["sp"], motif_ids=["group"]
    )
    assert all(s.start != start for s in found)


def test_minimum_delay_and_horizon() -> None:
    cal = calendar(*every_day(time(9, 0), time(17, 0)))
    now = utc(2026, 11, 24, 9, 0)  # 10:00 in Paris
    found = free_slots(cal, Occupancy(), now, espace_ids=["sp"], motif_ids=["info"])
    assert found[0].start == utc(2026, 11, 24, 11, 0)  # 12:00 in Paris, 2 h later
    assert found[-1].local_day == date(2027, 1, 23)  # 60 days ahead, not one more
    assert all(s.start >= now + timedelta(hours=2) for s in found)
