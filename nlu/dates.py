"""French date and time expressions -> ISO values, relative to an injectable 'now' (Paris).

Decisions (documented in docs/nlu.md): a bare weekday ("lundi") and "lundi prochain" both mean
the next such day strictly after today (said on a Monday, "lundi" is in 7 days); "lundi en
huit" adds a week. A date without a year that is already past this year means next year. An
impossible date ("le 31 février") gives no entity. "2h" alone means 14:00 (opening hours);
"2h du matin" stays 02:00. Periods ("en fin de matinée") give a time plus a from/to range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")

MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3,
    "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8,
    "septembre": 9, "sept": 9, "sep": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11,
    "decembre": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
}  # fmt: skip

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY_RE = "|".join(WEEKDAYS)
_DAY = r"(?P<day>[12]\d|3[01]|0?[1-9]|1er|premier)"

DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("numeric", re.compile(r"\b(?P<d>\d{1,2})/(?P<m>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?\b")),
    (
        "day_month",
        re.compile(
            rf"\b(?:(?:{_WEEKDAY_RE})\s+)?(?:le\s+)?{_DAY}\s+(?P<month>{_MONTH_RE})\b"
            r"(?:\s+(?P<year>20\d\d))?"
        ),
    ),
    ("after_tomorrow", re.compile(r"\bapr(?:es|e)?\s*demain\b")),
    ("tomorrow", re.compile(r"\bdemain\b")),
    ("today", re.compile(r"\b(?:aujourd\s*hui|aujourdhui|auj|ajd|ce\s+jour)\b")),
    ("this_part", re.compile(
        r"\b(?:ce\s+matin|cet\s+aprem|cet\s+apres\s*midi|cette\s+apres\s*midi|ce\s+soir)\b"
    )),
    ("in_days", re.compile(
        r"\bdans\s+(?P<n>\d{1,2}|un|une|deux|trois|quinze|huit)\s+(?P<unit>jours?|semaines?)\b"
    )),
    ("next_week", re.compile(r"\b(?:la\s+)?semaine\s+(?:prochaine|pro)\b")),
    ("this_week", re.compile(r"\bcette\s+semaine\b")),
    (
        "weekday",
        re.compile(
            rf"\b(?:ce\s+)?(?P<wd>{_WEEKDAY_RE})(?:\s+(?:le\s+)?{_DAY}\b)?"
            r"(?P<mod>\s+(?:prochain|qui\s+vient|en\s+huit))?\b"
        ),
    ),
    ("day_only", re.compile(
        rf"\b(?:le|du|au)\s+{_DAY}\b(?!\s*(?:h\b|h\d|heures?|:|/|ans|euros?|km|%))"
    )),
]  # fmt: skip

_NUMBERS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "huit": 8, "quinze": 15}

# (pattern, time, from, to)
PERIODS: list[tuple[re.Pattern[str], str, str, str]] = [
    (re.compile(r"\b(?:en\s+)?fin\s+de\s+matin(?:ee)?\b"), "11:00", "10:30", "12:00"),
    (re.compile(r"\b(?:en\s+)?debut\s+de\s+matin(?:ee)?\b|\btot\s+le\s+matin\b"),
     "09:00", "08:30", "10:00"),
    (re.compile(r"\b(?:en\s+)?debut\s+d\s*(?:apres\s*midi|aprem)\b"), "14:00", "13:30", "15:00"),
    (re.compile(r"\b(?:en\s+)?fin\s+d\s*(?:apres\s*midi|aprem)\b"), "17:00", "16:00", "18:00"),
    (re.compile(r"\b(?:(?:le|ce|dans\s+la)\s+)?(?:matin|matinee)\b"), "10:00", "09:00", "12:00"),
    (re.compile(r"\b(?:(?:l|cet|cette|dans\s+l|en)\s+)?(?:apres\s*midi|aprem|aprm)\b"),
     "14:00", "13:30", "17:30"),
    (re.compile(r"\b(?:(?:le|ce)\s+soir|en\s+soiree)\b"), "18:00", "17:00", "19:00"),
    (re.compile(r"(?<!apres )(?<!apres)\bmidi\b"), "12:00", "12:00", "12:00"),
]  # fmt: skip

_CLOCK = re.compile(
    r"\b(?P<pre>(?:a|vers|avant|apres|aux\s+alentours\s+de|pour|des|entre)\s+)?"
    r"(?P<h>[01]?\d|2[0-3])\s*(?:heures?|h|:)\s*(?P<m>[0-5]\d)?(?![\d])"
    r"(?P<post>\s*(?:du\s+matin|de\s+l\s*apres\s*midi|de\s+l\s*aprem|du\s+soir))?"
)
_NOT_A_CLOCK_BEFORE = re.compile(
    r"(?:pendant|dans|en|depuis|toutes\s+les|de|fait|faut|plus\s+de)\s+$"
)
_NOT_A_CLOCK_AFTER = re.compile(
    r"^\s*(?:de\s+(?:trajet|route|bus|train|voiture|formation|cours|travail|conduite)|par\s|/|d\s*activite)"
)


@dataclass(frozen=True)
class Found:
    """A date or time found in the normalised text (offsets into that text)."""

    entity: str
    start: int
    end: int
    value: str
    extra: dict[str, Any] | None = None


def today_in_paris(now: datetime | None) -> date:
    """The calendar day in Paris for 'now' (naive datetimes are taken as Paris time)."""
    if now is None:
        return datetime.now(PARIS).date()
    if now.tzinfo is None:
        return now.date()
    return now.astimezone(PARIS).date()


def _next_weekday(today: date, weekday: int) -> date:
    ahead = (weekday - today.weekday()) % 7 or 7
    return today + timedelta(days=ahead)


def _day_number(raw: str) -> int:
    return 1 if raw in ("1er", "premier") else int(raw)


def _future(today: date, day: int, month: int, year: int | None) -> date | None:
    """The date, or None if impossible; without a year, the next such date from today."""
    if year is not None:
        try:
            return date(year, month, day)
        except ValueError:
            return None
    for candidate_year in (today.year, today.year + 1):
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


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


def _resolve(kind: str, m: re.Match[str], today: date) -> date | None:
    if kind == "numeric":
        year = m.group("y")
        y = None if year is None else int(year) + (2000 if len(year) == 2 else 0)
        return _future(today, int(m.group("d")), int(m.group("m")), y)
    if kind == "day_month":
        y = int(m.group("year")) if m.group("year") else None
        return _future(today, _day_number(m.group("day")), MONTHS[m.group("month")], y)
    if kind == "after_tomorrow":
        return today + timedelta(days=2)
    if kind == "tomorrow":
        return today + timedelta(days=1)
    if kind in ("today", "this_part", "this_week"):
        return today
    if kind == "in_days":
        raw = m.group("n")
        n = _NUMBERS[raw] if raw in _NUMBERS else int(raw)
        return today + timedelta(days=n * (7 if m.group("unit").startswith("semaine") else 1))
    if kind == "next_week":
        return today + timedelta(days=7 - today.weekday())
    if kind == "weekday":
        if m.group("day"):
            return _month_day(today, _day_number(m.group("day")))
        target = _next_weekday(today, WEEKDAYS[m.group("wd")])
        if m.group("mod") and "huit" in m.group("mod"):
            target += timedelta(days=7)
        return target
    if kind == "day_only":
        return _month_day(today, _day_number(m.group("day")))
    return None


def find_dates(norm: str, today: date) -> list[Found]:
    """Dates in normalised text; earlier patterns win on overlaps."""
    taken: list[tuple[int, int]] = []
    found: list[Found] = []
    for kind, pattern in DATE_PATTERNS:
        for m in pattern.finditer(norm):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            value = _resolve(kind, m, today)
            if value is None:
                continue
            extra = {"grain": "week"} if kind in ("next_week", "this_week") else None
            found.append(Found("date", m.start(), m.end(), value.isoformat(), extra))
    return found


def find_times(norm: str) -> list[Found]:
    """Clock times ('14h30', 'vers 10 h') and day periods ('en fin de matinée')."""
    found: list[Found] = []
    taken: list[tuple[int, int]] = []
    for m in _CLOCK.finditer(norm):
        if _NOT_A_CLOCK_BEFORE.search(norm[: m.start("h")]) and not m.group("pre"):
            continue
        if _NOT_A_CLOCK_AFTER.match(norm[m.end() :]):
            continue
        if ":" in m.group(0) and m.group("m") is None:
            continue
        hour, minute = int(m.group("h")), int(m.group("m") or 0)
        post = (m.group("post") or "").strip()
        if post.startswith("du matin"):
            pass
        elif post or hour <= 7:
            hour = hour + 12 if hour < 12 else hour
        pre = (m.group("pre") or "").strip()
        start = m.start() if pre in ("a", "vers", "aux alentours de") else m.start("h")
        value = f"{hour:02d}:{minute:02d}"
        extra: dict[str, Any] | None = (
            {"approximate": True} if pre in ("vers", "aux alentours de") else None
        )
        found.append(Found("time", start, m.end(), value, extra))
        taken.append((start, m.end()))
    for pattern, value, lo, hi in PERIODS:
        for m in pattern.finditer(norm):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            extra = None if lo == hi else {"from": lo, "to": hi, "approximate": True}
            found.append(Found("time", m.start(), m.end(), value, extra))
    return found
