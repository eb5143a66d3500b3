"""What the cadence knows about each participant, one row per person, from the store's
aggregates (:mod:`store.planning.aggregates`: the SQL).

Here: the Paris month bounds the query compares with (:func:`bounds`), the appointments'
meetings it counts (``.sources.physical_meetings_query``), and the cadence's inputs built from
each tuple (:func:`to_row`). The ``due`` and ``report`` commands read the rows one by one; the
planner copies them into a temporary table and runs the bulk rules on it in SQL
(:mod:`.set_rules`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from capabilities.programme import periods, sources
from capabilities.programme.cadence import History, ParticipantState
from store.db import Session
from store.planning.aggregates import (
    COLUMNS,
    OPEN_STATUSES,
    Bounds,
    MeetingsQuery,
    day,
    participant_values,
    utc,
)

__all__ = [
    "COLUMNS",
    "OPEN_STATUSES",
    "Bounds",
    "Row",
    "bounds",
    "load_rows",
    "meetings_query",
    "participant_row",
    "to_row",
]


@dataclass
class Row:
    """One participant as the planner sees it: the cadence inputs and how to write to them."""

    state: ParticipantState
    history: History
    name: str
    person_id: int | None
    locale: str


def bounds(now: datetime) -> Bounds:
    """The month bounds of ``now`` and the window of appointments the cadence looks at."""
    today = periods.local_day(now)
    last_month = periods.at_paris(periods.previous_month(today))
    return Bounds(
        month=periods.at_paris(periods.month_first(today)),
        next_month=periods.at_paris(periods.month_last(today) + timedelta(days=1)),
        last_month=last_month,
        since=last_month - timedelta(days=200),
        until=now + timedelta(days=62),
    )


def meetings_query(b: Bounds, now: datetime) -> MeetingsQuery:
    """The appointments' in-person meetings the aggregates count, in the window of ``b``."""
    return sources.physical_meetings_query(b.since, b.until, now)


def to_row(r: Sequence[Any]) -> Row:
    """A :class:`Row` from one tuple of :data:`COLUMNS`."""
    (
        pid,
        name,
        person_id,
        counsellor_id,
        orientation_on,
        programme_start,
        programme_end,
        cer_signed_on,
        diagnosis_3m_on,
        diagnosis_final_on,
        status,
        last_checkin_at,
        locale,
        reachable,
        last_contact_at,
        first_meeting_at,
        next_meeting_at,
        this_month,
        last_month,
    ) = r
    state = ParticipantState(
        pid,
        day(orientation_on),  # type: ignore[arg-type]  # never NULL
        counsellor_id,
        day(programme_start),
        day(programme_end),
        day(cer_signed_on),
        day(diagnosis_3m_on),
        day(diagnosis_final_on),
        status,
        bool(reachable),
    )
    history = History(
        utc(last_contact_at),
        utc(last_checkin_at),
        utc(first_meeting_at),
        utc(next_meeting_at),
        int(this_month or 0),
        int(last_month or 0),
    )
    return Row(state, history, name, person_id, locale)


def load_rows(
    session: Session, now: datetime, participant_ids: Sequence[int] | None = None
) -> Iterator[Row]:
    """Every open participant with the aggregates the cadence needs (streamed, by id)."""
    b = bounds(now)
    for values in participant_values(session, now, b, meetings_query(b, now), participant_ids):
        yield to_row(values)


def participant_row(session: Session, participant_id: int, now: datetime) -> Row | None:
    """One participant's row (the check-in flow asks how many meetings are planned)."""
    return next(iter(load_rows(session, now, [participant_id])), None)
