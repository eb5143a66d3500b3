"""What staff export: every booking (status, lead time) and the no-show rate per Espace/motif."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from capabilities.appointments.agenda import day_bounds
from core.clock import PARIS
from core.csv_export import csv_dicts
from store import repo_appointments
from store.appointments import Booking
from store.db import Session

BOOKING_FIELDS = (
    "id",
    "espace",
    "motif",
    "starts_at_paris",
    "created_at_paris",
    "lead_time_hours",
    "status",
    "attendance",
    "cancelled_by",
    "confirmed",
    "person_id",
)
STATS_FIELDS = (
    "espace",
    "motif",
    "bookings",
    "cancelled",
    "moved",
    "seen",
    "noshow",
    "excused",
    "revoked",
    "noshow_rate",
    "mean_lead_time_hours",
)


def _paris(moment: datetime | None) -> str:
    return moment.astimezone(PARIS).strftime("%Y-%m-%d %H:%M") if moment else ""


def booking_rows(session: Session) -> list[dict[str, object]]:
    """One row per booking; erased people appear with an empty person id."""
    rows: list[dict[str, object]] = []
    for b in repo_appointments.all_bookings(session, ordered=True):
        lead = (b.starts_at - b.created_at).total_seconds() / 3600
        rows.append(
            {
                "id": b.id,
                "espace": b.espace_id,
                "motif": b.motif_id,
                "starts_at_paris": _paris(b.starts_at),
                "created_at_paris": _paris(b.created_at),
                "lead_time_hours": round(lead, 1),
                "status": b.status,
                "attendance": b.attendance,
                "cancelled_by": b.cancelled_by or "",
                "confirmed": "yes" if b.confirmed_at else "",
                "person_id": b.person_id or "",
            }
        )
    return rows


def stats_rows(session: Session) -> list[dict[str, object]]:
    """Per Espace and motif: bookings, cancellations, attendance, no-show rate.

    The no-show rate is noshow / (seen + noshow): only meetings whose outcome is known.
    """
    groups: dict[tuple[str, str], list[Booking]] = defaultdict(list)
    for b in repo_appointments.all_bookings(session):
        groups[(b.espace_id, b.motif_id)].append(b)
    rows: list[dict[str, object]] = []
    for (espace, motif), items in sorted(groups.items()):
        count = {k: 0 for k in ("cancelled", "moved", "seen", "noshow", "excused", "revoked")}
        for b in items:
            if b.status in ("cancelled", "moved"):
                count[b.status] += 1
            if b.attendance in count:
                count[b.attendance] += 1
        met = count["seen"] + count["noshow"]
        leads = [(b.starts_at - b.created_at).total_seconds() / 3600 for b in items]
        rows.append(
            {
                "espace": espace,
                "motif": motif,
                "bookings": len(items),
                **count,
                "noshow_rate": round(count["noshow"] / met, 3) if met else "",
                "mean_lead_time_hours": round(sum(leads) / len(leads), 1),
            }
        )
    return rows


def to_csv(rows: Iterable[dict[str, object]], fields: tuple[str, ...]) -> str:
    """Rows as CSV text (header first; the shared writer: ``;``, BOM, formulas neutralised)."""
    return csv_dicts(rows, fields)


def day_rows(session: Session, day: date) -> list[Booking]:
    """Active and past bookings of one Paris day, in time order (the day's list)."""
    start, end = day_bounds(day)
    return repo_appointments.booked_between(session, start, end)
