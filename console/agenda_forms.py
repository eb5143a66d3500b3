"""The agenda forms of the console: posted strings → typed inputs, and rows → form values.

Typing mistakes (a time that is not a time, a number that is not a number) become
:class:`Problem` objects for the field, like the agenda's own checks in
:mod:`capabilities.appointments.admin`, so the form shows every problem at once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time

from starlette.datastructures import FormData

from capabilities.appointments.admin import EspaceInput, MotifInput, Problem
from capabilities.appointments.admin_periods import ClosureInput, PeriodInput
from core.i18n import N_
from store import repo_console_agenda
from store.appointments import Espace, Motif, OpeningPeriod
from store.db import Session

Values = dict[str, object]
_CLOCK = re.compile(r"^(\d{1,2})\s*(?:[:h]\s*(\d{2})?)?$")


class Reader:
    """Reads one posted form, collecting the typing problems."""

    def __init__(self, form: FormData) -> None:
        self.form = form
        self.problems: list[Problem] = []

    def text(self, name: str, limit: int) -> str:
        """A trimmed text ("" when absent), cut at ``limit`` characters."""
        value = self.form.get(name)
        return (value if isinstance(value, str) else "").strip()[:limit]

    def optional(self, name: str, limit: int) -> str | None:
        """A trimmed text, ``None`` when empty (an unknown detail)."""
        return self.text(name, limit) or None

    def checked(self, name: str) -> bool:
        """A checkbox."""
        return self.form.get(name) not in (None, "")

    def many(self, name: str) -> list[str]:
        """Every value of a multiple field (checkboxes)."""
        return [v for v in self.form.getlist(name) if isinstance(v, str) and v]

    def integer(self, name: str, *, required: bool = False) -> int | None:
        """A whole number."""
        raw = self.text(name, 12)
        if not raw:
            if required:
                self.problems.append(Problem(name, N_("Ce champ est obligatoire.")))
            return None
        try:
            return int(raw)
        except ValueError:
            self.problems.append(Problem(name, N_("Nombre entier attendu.")))
            return None

    def decimal(self, name: str) -> float | None:
        """A decimal number, comma or point."""
        raw = self.text(name, 20).replace(",", ".")
        if not raw:
            return None
        try:
            return float(raw)
        except ValueError:
            self.problems.append(Problem(name, N_("Nombre attendu (ex. 51,0344).")))
            return None

    def clock(self, name: str, *, required: bool = False) -> time | None:
        """A time of day: "09:30", "9h30", "14h"."""
        raw = self.text(name, 10).lower()
        if not raw:
            if required:
                self.problems.append(Problem(name, N_("Indiquez une heure (ex. 09:30).")))
            return None
        found = _CLOCK.match(raw)
        if found and int(found.group(1)) < 24 and int(found.group(2) or 0) < 60:
            return time(int(found.group(1)), int(found.group(2) or 0))
        self.problems.append(Problem(name, N_("Heure invalide (ex. 09:30).")))
        return None

    def day(self, name: str, *, required: bool = False) -> date | None:
        """A date: "2026-12-24" (the browser's) or "24/12/2026"."""
        raw = self.text(name, 12)
        if not raw:
            if required:
                self.problems.append(Problem(name, N_("Indiquez une date (ex. 24/12/2026).")))
            return None
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return datetime.strptime(raw, pattern).date()
            except ValueError:
                continue
        self.problems.append(Problem(name, N_("Date invalide (ex. 24/12/2026).")))
        return None


def confirmed(form: FormData) -> int | None:
    """The number of bookings the admin confirmed ("confirm" field), if any."""
    value = form.get("confirm")
    return int(value) if isinstance(value, str) and value.isdigit() else None


# --- Espaces -------------------------------------------------------------------------


def read_espace(form: FormData, espace_id: str | None) -> tuple[EspaceInput, list[Problem]]:
    """The Espace form (``espace_id`` None: a new one, its id typed in the form)."""
    read = Reader(form)
    data = EspaceInput(
        id=espace_id or read.text("id", 40),
        name=read.text("name", 120),
        commune=read.text("commune", 60),
        address=read.optional("address", 200),
        phone=read.optional("phone", 40),
        opening_hours=read.optional("opening_hours", 200),
        access_notes=read.optional("access_notes", 300),
        latitude=read.decimal("latitude"),
        longitude=read.decimal("longitude"),
        active=read.checked("active"),
    )
    return data, read.problems


def espace_values(espace: Espace) -> Values:
    """A stored Espace as form values."""
    return {
        "id": espace.id,
        "name": espace.name,
        "commune": espace.commune,
        "address": espace.address or "",
        "phone": espace.phone or "",
        "opening_hours": espace.opening_hours or "",
        "access_notes": espace.access_notes or "",
        "latitude": "" if espace.latitude is None else str(espace.latitude),
        "longitude": "" if espace.longitude is None else str(espace.longitude),
        "active": espace.active,
    }


# --- motifs --------------------------------------------------------------------------


def read_motif(form: FormData, motif_id: str | None) -> tuple[MotifInput, list[Problem]]:
    """The motif form."""
    read = Reader(form)
    duration = read.integer("duration_min", required=True)
    data = MotifInput(
        id=motif_id or read.text("id", 40),
        label=read.text("label", 80),
        duration_min=duration if duration is not None else 0,
        kind=read.text("kind", 12),
        capacity=read.integer("capacity"),
        rsa=read.checked("rsa"),
        physical=read.checked("physical"),
        bring=tuple(line.strip()[:200] for line in read.text("bring", 2000).splitlines()),
        active=read.checked("active"),
    )
    if duration is None and not any(p.key == "duration_min" for p in read.problems):
        read.problems.append(Problem("duration_min", N_("Nombre entier attendu.")))
    return data, read.problems


def motif_values(motif: Motif) -> Values:
    """A stored motif as form values."""
    return {
        "id": motif.id,
        "label": motif.label,
        "duration_min": str(motif.duration_min),
        "kind": motif.kind,
        "capacity": "" if motif.capacity is None else str(motif.capacity),
        "rsa": motif.rsa,
        "physical": motif.physical,
        "bring": "\n".join(motif.bring or []),
        "active": motif.active,
    }


# --- periods and closures ------------------------------------------------------------


def read_period(form: FormData) -> tuple[PeriodInput, list[Problem]]:
    """The weekly period form: ``kind`` individual, or a session of ``motif_id``."""
    read = Reader(form)
    session_motif = read.text("motif_id", 12) if read.text("kind", 12) == "collective" else ""
    weekday = read.integer("weekday", required=True)
    staff: list[int] = []
    for raw in read.many("staff"):
        if raw.isdigit():
            staff.append(int(raw))
        else:
            read.problems.append(Problem("staff", N_("Membre de l'équipe inconnu.")))
    data = PeriodInput(
        espace_id=read.text("espace_id", 20),
        weekday=weekday if weekday is not None else -1,
        start=read.clock("start", required=True) or time(0),
        end=read.clock("end", required=not session_motif),
        motif_id=session_motif or None,
        motif_ids=tuple(read.many("motif_ids")) if not session_motif else (),
        staff_ids=tuple(staff),
        capacity=read.integer("capacity") if session_motif else None,
        valid_from=read.day("valid_from"),
        valid_until=read.day("valid_until"),
        example=read.checked("example"),
    )
    return data, read.problems


def period_values(session: Session, row: OpeningPeriod) -> Values:
    """A stored period as form values."""
    staff = repo_console_agenda.staff_of_period(session, row.id)
    return {
        "espace_id": row.espace_id,
        "weekday": str(row.weekday),
        "start": row.start.strftime("%H:%M"),
        "end": row.end.strftime("%H:%M"),
        "kind": "collective" if row.motif_id else "individual",
        "motif_id": row.motif_id or "",
        "motif_ids": list(row.motif_ids or []),
        "staff": [str(s) for s in staff],
        "capacity": "" if row.capacity is None else str(row.capacity),
        "valid_from": row.valid_from.isoformat() if row.valid_from else "",
        "valid_until": row.valid_until.isoformat() if row.valid_until else "",
        "example": row.example,
    }


def read_closure(form: FormData) -> tuple[ClosureInput, list[Problem]]:
    """The closure form."""
    read = Reader(form)
    data = ClosureInput(
        espace_id=read.text("espace_id", 20),
        day=read.day("day", required=True) or date.min,
        start=read.clock("start"),
        end=read.clock("end"),
        reason=read.text("reason", 120),
    )
    return data, read.problems


def posted_values(form: FormData, multiple: Sequence[str] = ()) -> Values:
    """What the admin typed, to show it again with the problems."""
    values: Values = {key: form.get(key) for key in form if key not in multiple}
    for key in multiple:
        values[key] = list(form.getlist(key))
    return values
