"""Counsellors' hours (``config/counsellor_hours.yaml``): are they in, and when next?

Outside these hours a person asking for a human is told when someone will read them.
While the file says ``placeholder: true`` the hours are invented: the person is told only
that a counsellor will answer as soon as possible (see ``flow.when_answered``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache
from pathlib import Path

import yaml

from core.calendar import is_public_holiday
from core.clock import PARIS

HOURS_FILE = Path(__file__).resolve().parents[2] / "config" / "counsellor_hours.yaml"

Range = tuple[time, time]


@dataclass(frozen=True)
class CounsellorHours:
    """Opening ranges per ISO weekday, Paris time; public holidays are closed."""

    days: dict[int, tuple[Range, ...]]
    placeholder: bool = False  # invented hours: never told to a person

    def is_open(self, moment: datetime) -> bool:
        """True when counsellors are at work at ``moment``."""
        local = moment.astimezone(PARIS)
        if is_public_holiday(local.date()):
            return False
        clock = local.time()
        return any(start <= clock < end for start, end in self.days.get(local.isoweekday(), ()))

    def next_opening(self, moment: datetime) -> datetime | None:
        """The next time counsellors start work (Paris time), within two weeks."""
        local = moment.astimezone(PARIS)
        for offset in range(15):
            day = local.date() + timedelta(days=offset)
            if is_public_holiday(day):
                continue
            for start, _end in self.days.get(day.isoweekday(), ()):
                candidate = datetime.combine(day, start, tzinfo=PARIS)
                if candidate > local:
                    return candidate
        return None


def _parse_range(text: str) -> Range:
    start, _, end = text.partition("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def parse_hours(raw: dict[str, object]) -> CounsellorHours:
    """Build the hours from the YAML mapping; a bad range raises ValueError."""
    days: dict[int, tuple[Range, ...]] = {}
    entries = raw.get("days") or {}
    if not isinstance(entries, dict):
        raise ValueError("days must map a weekday to ranges")
    for key, ranges in entries.items():
        weekday = int(key)
        if not 1 <= weekday <= 7 or not isinstance(ranges, list):
            raise ValueError(f"bad weekday {key!r}")
        parsed = tuple(_parse_range(str(item)) for item in ranges)
        if any(start >= end for start, end in parsed):
            raise ValueError(f"empty range on weekday {weekday}")
        days[weekday] = parsed
    return CounsellorHours(days, placeholder=bool(raw.get("placeholder", False)))


@lru_cache(maxsize=4)
def load_hours(path: Path = HOURS_FILE) -> CounsellorHours:
    """The configured hours (read once)."""
    with path.open(encoding="utf-8") as handle:
        return parse_hours(yaml.safe_load(handle) or {})
