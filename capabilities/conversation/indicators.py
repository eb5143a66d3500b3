"""Indicators of the last weeks: conversations, hand-offs, misunderstandings, response time.

Time to first human reply runs from the hand-off request to the first counsellor message;
bot messages in between do not stop the clock, and neither does a counsellor reply no channel
delivered (local mode: "non remis"), since the person never read it.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.clock import to_paris
from store import repo_indicators
from store.db import Session

NOT_UNDERSTOOD = ("out_of_scope", "nlu_fallback")


@dataclass
class Week:
    """One ISO week (Monday 00:00 Paris time)."""

    label: str
    start: datetime
    end: datetime
    people: set[int] = field(default_factory=set)
    handoffs: int = 0
    texts: int = 0
    missed: int = 0
    waits: list[float] = field(default_factory=list)

    @property
    def conversations(self) -> int:
        """People who wrote to the assistant that week."""
        return len(self.people)

    @property
    def handoff_rate(self) -> float | None:
        """Hand-offs per conversation, in %."""
        return 100 * self.handoffs / self.conversations if self.conversations else None

    @property
    def missed_rate(self) -> float | None:
        """Free-text messages not understood, in %."""
        return 100 * self.missed / self.texts if self.texts else None

    @property
    def median_wait(self) -> float | None:
        """Median minutes to the first counsellor reply."""
        return statistics.median(self.waits) if self.waits else None


def weeks(now: datetime, count: int = 8) -> list[Week]:
    """The last ``count`` ISO weeks, oldest first."""
    local = to_paris(now)
    monday = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    out = []
    for back in range(count - 1, -1, -1):
        start = monday - timedelta(weeks=back)
        out.append(Week(f"S{start.isocalendar().week}", start, start + timedelta(weeks=1)))
    return out


def compute(session: Session, now: datetime, threshold: float, count: int = 8) -> list[Week]:
    """Fill the weeks from the message log and the hand-off requests."""
    table = weeks(now, count)
    begin = table[0].start

    def week_of(moment: datetime) -> Week | None:
        for week in table:
            if week.start <= moment < week.end:
                return week
        return None

    replies: dict[int, list[datetime]] = {}
    undelivered = repo_indicators.undelivered_replies(session, begin)
    rows = repo_indicators.log_since(session, begin)
    for message_id, person_id, created, direction, author, kind, intent, confidence in rows:
        week = week_of(created)
        if direction == "out" and author.startswith("counsellor") and message_id not in undelivered:
            replies.setdefault(person_id, []).append(created)
        if week is None or direction != "in":
            continue
        week.people.add(person_id)
        if kind == "text":
            week.texts += 1
            if intent is None or intent in NOT_UNDERSTOOD or (confidence or 0) < threshold:
                week.missed += 1
    for request in repo_indicators.requests_since(session, begin):
        week = week_of(request.created_at)
        if week is None:
            continue
        week.handoffs += 1
        after = [m for m in replies.get(request.person_id, []) if m >= request.created_at]
        if after:
            week.waits.append((min(after) - request.created_at).total_seconds() / 60)
    return table
