"""The day's attendance sheet (émargement): every booking of a Paris day, per Espace.

The day's list of :func:`capabilities.appointments.stats.day_rows`, plus the bookings
excused or revoked in advance: they stay on the sheet so the staff see who will not come.
"""

from __future__ import annotations

from datetime import date

from capabilities.appointments.agenda import day_bounds
from capabilities.appointments.stats import day_rows
from store import repo_console_agenda
from store.appointments import Booking
from store.db import Session


def day_sheet(session: Session, day: date) -> list[Booking]:
    """The day's bookings per Espace and time, those excused or revoked in advance included."""
    start, end = day_bounds(day)
    bookings = day_rows(session, day)
    bookings += repo_console_agenda.excused_between(session, start, end)
    bookings.sort(key=lambda b: (b.espace_id, b.starts_at, b.id))
    return bookings
