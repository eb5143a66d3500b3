"""French days and times (core.dates), read alike by booking and by the NLU's entities."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from core.clock import PARIS
from core.dates import instant, parse_clock, parse_day
from nlu.entities import Gazetteer, extract

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=PARIS)  # a Tuesday morning
NO_TERMS = Gazetteer({}, frozenset(), 1)  # dates only


def nlu_values(text: str, now: datetime) -> dict[str, str]:
    """What the NLU's entity extraction gives (entity -> value)."""
    return {e["entity"]: e["value"] for e in extract(text, NO_TERMS, now)}


def booking_day(text: str, now: datetime) -> date | None:
    """The day the booking flow reads in a message."""
    guess = parse_day(text, now)
    return guess.day if guess else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("demain", date(2026, 11, 25)),
        ("après-demain", date(2026, 11, 26)),
        ("jeudi", date(2026, 11, 26)),
        ("mardi prochain", date(2026, 12, 1)),
        ("le 3 décembre", date(2026, 12, 3)),
        ("le 1er décembre", date(2026, 12, 1)),
        ("26/11", date(2026, 11, 26)),
        ("26.11", date(2026, 11, 26)),
        ("le 5 janvier", date(2027, 1, 5)),
        ("2026-11-26", date(2026, 11, 26)),  # the NLU entity
    ],
)
def test_days(text: str, expected: date) -> None:
    guess = parse_day(text, NOW)
    assert guess is not None and guess.day == expected and not guess.past


def test_impossible_and_past_days() -> None:
    guess = parse_day("le 31 février", NOW)
    assert guess is not None and guess.invalid == "31 février" and guess.day is None
    assert parse_day("30/02", NOW).invalid == "30/02"  # type: ignore[union-attr]
    past = parse_day("le 2 novembre 2026", NOW)
    assert past is not None and past.past and past.day == date(2026, 11, 2)
    yesterday = parse_day("hier", NOW)
    assert yesterday is not None and yesterday.past and yesterday.day == date(2026, 11, 23)
    assert parse_day("bonjour", NOW) is None
    assert parse_day("la semaine prochaine", NOW) is None  # a week, not a day


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vers 14h", time(14, 0)),
        ("14 h 30", time(14, 30)),
        ("9:15", time(9, 15)),
        ("midi", time(12, 0)),
        ("à 19h", time(19, 0)),
    ],
)
def test_clock(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


def test_periods_and_durations_are_not_a_clock_time_for_booking() -> None:
    assert parse_clock("en fin de matinée") is None
    assert parse_clock("2h de trajet") is None


# --- the three former disagreements, through both consumers -------------------------------

MONDAY_MORNING = datetime(2026, 11, 30, 10, 0, tzinfo=PARIS)
MONDAY_EVENING = datetime(2026, 11, 30, 18, 30, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("lundi", MONDAY_MORNING, date(2026, 11, 30)),  # today: the Espaces are open
        ("lundi", MONDAY_EVENING, date(2026, 12, 7)),  # closed for today: next week
        ("lundi prochain", MONDAY_MORNING, date(2026, 12, 7)),
        ("jeudi en huit", MONDAY_MORNING, date(2026, 12, 10)),
    ],
)
def test_a_weekday_said_on_that_day(text: str, now: datetime, expected: date) -> None:
    assert booking_day(text, now) == expected
    assert nlu_values(text, now)["date"] == expected.isoformat()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2h", time(14, 0)), ("à 2h", time(14, 0)), ("2h du matin", time(2, 0)), ("8h", time(8, 0))],
)
def test_a_bare_small_hour_is_the_afternoon(text: str, expected: time) -> None:
    assert parse_clock(text) == expected
    assert nlu_values(text, NOW)["time"] == expected.strftime("%H:%M")


def test_a_day_and_month_already_past_is_next_year_unless_the_year_is_written() -> None:
    december_10 = datetime(2026, 12, 10, 10, 0, tzinfo=PARIS)
    guess = parse_day("le 5 décembre", december_10)
    assert guess is not None and guess.day == date(2027, 12, 5) and not guess.past
    assert nlu_values("le 5 décembre", december_10)["date"] == "2027-12-05"
    written = parse_day("le 5 décembre 2026", december_10)
    assert written is not None and written.day == date(2026, 12, 5) and written.past
    assert nlu_values("le 5 décembre 2026", december_10)["date"] == "2026-12-05"
    numeric = parse_day("05/12/2026", december_10)
    assert numeric is not None and numeric.past


def test_impossible_dates_agree() -> None:
    assert parse_day("le 31 février", NOW).invalid  # type: ignore[union-attr]
    assert "date" not in nlu_values("le 31 février", NOW)


# --- the days clocks change in Europe/Paris ------------------------------------------------


@pytest.mark.parametrize(
    ("day", "clock", "utc"),
    [
        (date(2026, 3, 28), time(14, 0), datetime(2026, 3, 28, 13, 0, tzinfo=UTC)),  # CET
        (date(2026, 3, 29), time(14, 0), datetime(2026, 3, 29, 12, 0, tzinfo=UTC)),  # CEST
        (date(2026, 3, 29), time(1, 30), datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),
        (date(2026, 3, 29), time(3, 30), datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
        (date(2026, 10, 24), time(14, 0), datetime(2026, 10, 24, 12, 0, tzinfo=UTC)),  # CEST
        (date(2026, 10, 25), time(14, 0), datetime(2026, 10, 25, 13, 0, tzinfo=UTC)),  # CET
    ],
)
def test_a_time_on_a_dst_day_is_the_right_instant(day: date, clock: time, utc: datetime) -> None:
    assert instant(day, clock) == utc


@pytest.mark.parametrize(
    ("now", "tomorrow"),
    [
        # Saturday 28 March 2026, 23:30 in Paris (22:30 UTC, still winter time)
        (datetime(2026, 3, 28, 22, 30, tzinfo=UTC), date(2026, 3, 29)),
        # Sunday 29 March, 23:30 in Paris is 21:30 UTC once summer time began
        (datetime(2026, 3, 29, 21, 30, tzinfo=UTC), date(2026, 3, 30)),
        # Saturday 24 October 2026, 23:30 in Paris (21:30 UTC, summer time)
        (datetime(2026, 10, 24, 21, 30, tzinfo=UTC), date(2026, 10, 25)),
        # 22:30 UTC that Saturday is already 00:30 on Sunday in Paris
        (datetime(2026, 10, 24, 22, 30, tzinfo=UTC), date(2026, 10, 26)),
        # Sunday 25 October, 23:30 in Paris is 22:30 UTC once winter time is back
        (datetime(2026, 10, 25, 22, 30, tzinfo=UTC), date(2026, 10, 26)),
    ],
)
def test_tomorrow_said_the_evening_before_a_dst_day(now: datetime, tomorrow: date) -> None:
    assert booking_day("demain", now) == tomorrow
    assert nlu_values("demain", now)["date"] == tomorrow.isoformat()


def test_a_time_said_on_a_dst_day_books_the_right_instant() -> None:
    sunday_morning = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # 10:00 in Paris, summer time
    day, clock = booking_day("aujourd'hui à 14h", sunday_morning), parse_clock("à 14h")
    assert day is not None and clock is not None
    assert instant(day, clock) == datetime(2026, 3, 29, 12, 0, tzinfo=UTC)
