"""Days and times written in French: "mardi", "demain", "le 3 décembre", "24/11", "14h30".

A date that cannot exist ("le 31 février") is reported as such, not silently moved.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, time, timedelta

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = (
    "janvier",
    "fevrier",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "aout",
    "septembre",
    "octobre",
    "novembre",
    "decembre",
)
_MONTH_RE = "|".join(MONTHS) + "|janv|fevr?|avr|juil|sept?|oct|nov|dec"
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")  # what the NLU's date entity gives
_NUMERIC = re.compile(r"\b(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{2,4}))?\b")
_WORDS = re.compile(rf"\b(1er|\d{{1,2}})\s+({_MONTH_RE})\.?(?:\s+(\d{{4}}))?\b")
_CLOCK = re.compile(r"\b([01]?\d|2[0-3])\s*(?:h|heures?|:)\s*([0-5]\d)?\b")


def fold(text: str) -> str:
    """Lower case without accents, for matching."""
    plain = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in plain if not unicodedata.combining(c)).replace("’", "'")


@dataclass(frozen=True)
class DayGuess:
    """A day read in a message, or why it cannot be one."""

    day: date | None = None
    invalid: str | None = None  # the impossible date as written, e.g. "31 février"
    past: bool = False


def _month(word: str) -> int:
    for number, name in enumerate(MONTHS, start=1):
        if name.startswith(word):
            return number
    return 0


def _build(day: int, month: int, year: int | None, today: date, raw: str) -> DayGuess:
    explicit = year is not None
    if year is not None and year < 100:
        year += 2000
    try:
        found = date(year or today.year, month, day)
    except ValueError:
        return DayGuess(invalid=raw)
    if found < today and not explicit and (today - found).days > 180:
        found = found.replace(year=found.year + 1)  # "le 5 janvier" said in December
    if found < today:
        return DayGuess(day=found, past=True)
    return DayGuess(day=found)


def parse_day(text: str, today: date) -> DayGuess | None:
    """The day a message speaks of, ``None`` when it names none."""
    plain = fold(text)
    iso = _ISO.search(plain)
    if iso:
        parts = [int(part) for part in iso.groups()]
        return _build(parts[2], parts[1], parts[0], today, iso.group(0))
    match = _WORDS.search(plain)
    if match:
        number = 1 if match.group(1) == "1er" else int(match.group(1))
        raw = text[match.start() : match.end()].strip()
        return _build(
            number,
            _month(match.group(2)),
            int(match.group(3)) if match.group(3) else None,
            today,
            raw,
        )
    match = _NUMERIC.search(plain)
    if match and not re.search(r"\d\s*h", plain[match.end() : match.end() + 3]):
        written = int(match.group(3)) if match.group(3) else None
        return _build(int(match.group(1)), int(match.group(2)), written, today, match.group(0))
    if "apres-demain" in plain or "apres demain" in plain:
        return DayGuess(day=today + timedelta(days=2))
    if "demain" in plain:
        return DayGuess(day=today + timedelta(days=1))
    if "aujourd'hui" in plain or "aujourdhui" in plain:
        return DayGuess(day=today)
    if "hier" in re.findall(r"\b\w+\b", plain):
        return DayGuess(day=today - timedelta(days=1), past=True)
    for index, name in enumerate(WEEKDAYS):
        if re.search(rf"\b{name}\b", plain):
            ahead = (index - today.weekday()) % 7
            if "prochain" in plain and ahead == 0:
                ahead = 7
            return DayGuess(day=today + timedelta(days=ahead))
    return None


def parse_clock(text: str) -> time | None:
    """A time of day in a message ("14h", "14 h 30", "9:15", "midi"), or ``None``."""
    plain = fold(text)
    match = _CLOCK.search(plain)
    if match:
        return time(int(match.group(1)), int(match.group(2) or 0))
    if re.search(r"\bmidi\b", plain):
        return time(12, 0)
    return None
