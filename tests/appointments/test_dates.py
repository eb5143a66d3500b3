"""Days and times typed in French."""

from __future__ import annotations

from datetime import date, time

import pytest

from capabilities.appointments.dates import parse_clock, parse_day

TODAY = date(2026, 11, 24)  # a Tuesday


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
        ("le 5 janvier", date(2027, 1, 5)),
        ("2026-11-26", date(2026, 11, 26)),  # the NLU entity
    ],
)
def test_days(text: str, expected: date) -> None:
    guess = parse_day(text, TODAY)
    assert guess is not None and guess.day == expected and not guess.past


def test_impossible_and_past_days() -> None:
    guess = parse_day("le 31 février", TODAY)
    assert guess is not None and guess.invalid == "31 février" and guess.day is None
    assert parse_day("30/02", TODAY).invalid == "30/02"  # type: ignore[union-attr]
    past = parse_day("le 2 novembre", TODAY)
    assert past is not None and past.past
    assert parse_day("bonjour", TODAY) is None


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
