"""The one French date and time parser, for the NLU's entities and the booking flow alike.

It reads the plain form of :mod:`core.text` (so "Après-demain", "apres demain" and
"après‑demain" are one thing) relative to a ``now`` taken in Europe/Paris. Decisions, as a
person writing to an Espace would expect them:

- **A weekday said on that weekday** ("lundi" on a Monday) is *today* until the Espaces close
  (:data:`DAY_END`, 17:00 in Paris), then the same day next week: on Monday morning "je peux
  venir lundi ?" asks about today, on Monday evening it can only mean next week. "lundi
  prochain" is always a later day (next week when said on a Monday), "jeudi en huit" adds a
  week to "jeudi".
- **"2h" alone is 14:00**: an hour from 1 to 7 without "du matin" is the afternoon, since the
  Espaces receive people in the daytime; "2h du matin" stays 02:00.
- **A day and month already past this year** ("le 5 décembre" said on 10 December) is the next
  occurrence, next year. With a year written ("le 5 décembre 2026", "05/12/2026") the date is
  taken as written, and a day before today is flagged ``past`` so booking can say "that date
  is past"; "hier" is past too.
- An impossible date ("le 31 février", "30/02") is found but flagged ``invalid``: the NLU drops
  it, booking says that day does not exist. "la semaine prochaine" is next Monday with a week
  grain (booking, which needs a day, ignores it).

Only the calendar day and the wall-clock time are read here; :func:`instant` turns them into
one aware moment, right on the days clocks change (last Sundays of March and October).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from core.clock import PARIS
from core.date_words import (
    CLOCK,
    DATE_PATTERNS,
    MONTHS,
    NOT_A_CLOCK_AFTER,
    NOT_A_CLOCK_BEFORE,
    NUMBERS,
    PERIODS,
    WEEK_KINDS,
    WEEKDAYS,
)
from core.text import plain_offsets

DAY_END = time(17, 0)  # the Espaces close: a weekday said on that day after this is next week


@dataclass(frozen=True)
class Found:
    """A date or time found in the plain text (offsets into that text).

    ``value`` is an ISO day or ``HH:MM`` ("" for an impossible date); ``kind`` names the pattern
    ("weekday", "numeric", "clock", "period"…).
    """

    entity: str
    start: int
    end: int
    value: str
    extra: dict[str, Any] | None = None
    kind: str = ""
    invalid: bool = False
    past: bool = False
    written: int = 0  # where the date proper starts ("31 février" in "le 31 février")


def paris_now(now: datetime | None) -> datetime:
    """'now' as a Paris wall-clock time (naive datetimes are taken as Paris time already)."""
    if now is None:
        return datetime.now(PARIS).replace(tzinfo=None)
    if now.tzinfo is None:
        return now
    return now.astimezone(PARIS).replace(tzinfo=None)


def instant(day: date, clock: time) -> datetime:
    """The aware moment of a Paris wall-clock time on a day (offset +01:00 or +02:00 as due)."""
    return datetime.combine(day, clock, tzinfo=PARIS)


def _day_number(raw: str) -> int:
    return 1 if raw in ("1er", "premier") else int(raw)


def _dated(today: date, day: int, month: int, year: int | None) -> tuple[date | None, bool]:
    """(the date or None if impossible, past); without a year, the next such date."""
    if year is not None:
        try:
            found = date(year, month, day)
        except ValueError:
            return None, False
        return found, found < today
    for candidate_year in (today.year, today.year + 1):
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate, False
    return None, False


def _month_day(today: date, day: int) -> date | None:
    """'le 3' alone: this month if not past, else next month."""
    year, month = today.year, today.month
    for _ in range(3):
        try:
            candidate = date(year, month, day)
            if candidate >= today:
                return candidate
        except ValueError:
            pass
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return None


def _weekday(now: datetime, weekday: int, modifier: str) -> date:
    today = now.date()
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0 and ("prochain" in modifier or "vient" in modifier or now.time() >= DAY_END):
        ahead = 7
    if "huit" in modifier:
        ahead += 7
    return today + timedelta(days=ahead)


def _year(raw: str | None) -> int | None:
    if raw is None:
        return None
    return int(raw) + (2000 if len(raw) == 2 else 0)


def _resolve(kind: str, m: re.Match[str], now: datetime) -> tuple[date | None, bool]:
    """(the date or None if impossible, past) of one match."""
    today = now.date()
    if kind in ("iso", "numeric"):
        return _dated(today, int(m.group("d")), int(m.group("m")), _year(m.group("y")))
    if kind == "day_month":
        month = MONTHS[m.group("month")]
        return _dated(today, _day_number(m.group("day")), month, _year(m.group("year")))
    if kind == "weekday" and m.group("day"):
        return _month_day(today, _day_number(m.group("day"))), False
    if kind == "day_only":
        return _month_day(today, _day_number(m.group("day"))), False
    if kind == "weekday":
        return _weekday(now, WEEKDAYS[m.group("wd")], m.group("mod") or ""), False
    if kind == "in_days":
        raw = m.group("n")
        n = NUMBERS[raw] if raw in NUMBERS else int(raw)
        return today + timedelta(
            days=n * (7 if m.group("unit").startswith("semaine") else 1)
        ), False
    offsets = {"after_tomorrow": 2, "tomorrow": 1, "yesterday": -1, "before_yesterday": -2}
    if kind in offsets:
        return today + timedelta(days=offsets[kind]), offsets[kind] < 0
    if kind == "next_week":
        return today + timedelta(days=7 - today.weekday()), False
    return today, False  # today, this_part, this_week


def find_dates(norm: str, now: datetime | None) -> list[Found]:
    """Dates in plain text, impossible ones flagged; earlier patterns win on overlaps."""
    local = paris_now(now)
    taken: list[tuple[int, int]] = []
    found: list[Found] = []
    for kind, pattern in DATE_PATTERNS:
        for m in pattern.finditer(norm):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            value, past = _resolve(kind, m, local)
            extra = {"grain": "week"} if kind in WEEK_KINDS else None
            written = m.start("day") if kind == "day_month" else m.start()
            found.append(
                Found(
                    "date",
                    m.start(),
                    m.end(),
                    value.isoformat() if value else "",
                    extra,
                    kind,
                    invalid=value is None,
                    past=past,
                    written=written,
                )
            )
    return found


def find_times(norm: str) -> list[Found]:
    """Clock times ('14h30', 'vers 10 h') and day periods ('en fin de matinée')."""
    found: list[Found] = []
    taken: list[tuple[int, int]] = []
    for m in CLOCK.finditer(norm):
        if NOT_A_CLOCK_BEFORE.search(norm[: m.start("h")]) and not m.group("pre"):
            continue
        if NOT_A_CLOCK_AFTER.match(norm[m.end() :]):
            continue
        if ":" in m.group(0) and m.group("m") is None:
            continue
        hour, minute = int(m.group("h")), int(m.group("m") or 0)
        post = (m.group("post") or "").strip()
        if not post.startswith("du matin") and (post or hour <= 7) and hour < 12:
            hour += 12  # "2h", "5h de l'après-midi": the Espaces receive in the daytime
        pre = (m.group("pre") or "").strip()
        start = m.start() if pre in ("a", "vers", "aux alentours de") else m.start("h")
        approximate = pre in ("vers", "aux alentours de")
        extra: dict[str, Any] | None = {"approximate": True} if approximate else None
        found.append(Found("time", start, m.end(), f"{hour:02d}:{minute:02d}", extra, "clock"))
        taken.append((start, m.end()))
    for pattern, value, lo, hi in PERIODS:
        for m in pattern.finditer(norm):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            if lo == hi:  # "midi" is a clock time
                found.append(Found("time", m.start(), m.end(), value, None, "clock"))
                continue
            extra = {"from": lo, "to": hi, "approximate": True}
            found.append(Found("time", m.start(), m.end(), value, extra, "period"))
    return found


@dataclass(frozen=True)
class DayGuess:
    """A day read in a message, or why it cannot be one (what the booking flow needs)."""

    day: date | None = None
    invalid: str | None = None  # the impossible date as written, e.g. "31 février"
    past: bool = False


def parse_day(text: str, now: datetime) -> DayGuess | None:
    """The day a message speaks of, ``None`` when it names none (a week is not a day)."""
    norm, index = plain_offsets(text)
    for item in find_dates(norm, now):
        if item.extra is not None:
            continue
        if item.invalid:
            written = text[index[item.written] : index[item.end - 1] + 1]
            return DayGuess(invalid=written.strip())
        return DayGuess(day=date.fromisoformat(item.value), past=item.past)
    return None


def parse_clock(text: str) -> time | None:
    """The time of day a message gives ("14h", "14 h 30", "9:15", "midi"), not a period."""
    for item in find_times(plain_offsets(text)[0]):
        if item.kind == "clock":
            return time.fromisoformat(item.value)
    return None
