"""Admins edit the agenda: Espaces and motifs (periods and closures: :mod:`.admin_periods`).

Each ``save_*``/``remove_*`` checks everything first and raises :class:`AgendaError` (the
problems, by field) or :class:`NeedsConfirmation` (future bookings the change leaves out,
with their number) before writing anything. A row written here becomes
``managed_by = "console"``: the file sync never touches it again. Nothing is deleted, so
bookings keep their Espace and motif; a removed period or closure is an inactive row.
The caller commits, then calls :func:`capabilities.appointments.agenda.forget_calendars` so the bot
offers the new slots at once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from capabilities.appointments.admin_checks import (
    AgendaError,
    NeedsConfirmation,
    PeriodShape,
    Problem,
    confirm_or_raise,
    future_bookings,
    most_seats,
)
from core.i18n import N_, N_plural
from store import repo_agenda_admin
from store.appointments import Espace, Motif
from store.db import Session

__all__ = [
    "AgendaError",
    "EspaceInput",
    "MotifInput",
    "NeedsConfirmation",
    "Problem",
    "save_espace",
    "save_motif",
]

ESPACE_ID = re.compile(r"^[a-z][a-z0-9_]{0,19}$")
MOTIF_ID = re.compile(r"^[a-z][a-z0-9_]{0,11}$")  # travels in 64-byte button payloads
PHONE = re.compile(r"^[0-9 +().-]{6,40}$")
MAX_MINUTES = 480
MAX_CAPACITY = 500


@dataclass
class EspaceInput:
    """The Espace form; an empty practical detail means "unknown" (the bot says so)."""

    id: str
    name: str
    commune: str
    address: str | None = None
    phone: str | None = None
    opening_hours: str | None = None
    access_notes: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    active: bool = True


@dataclass
class MotifInput:
    """The motif form."""

    id: str
    label: str
    duration_min: int
    kind: str
    capacity: int | None = None
    rsa: bool = False
    physical: bool = True
    bring: tuple[str, ...] = ()
    active: bool = True


def after(start: time, minutes: int) -> time | None:
    """``start`` + ``minutes`` on the same day, or None past midnight."""
    moment = datetime.combine(date(2000, 1, 3), start) + timedelta(minutes=minutes)
    return moment.time() if moment.date() == date(2000, 1, 3) else None


def fail_if(problems: Sequence[Problem], known: Sequence[Problem] = ()) -> None:
    """Refuse the edit when anything is wrong (nothing written yet).

    ``known`` are the problems found while reading the form (a time that is not a time): they
    come first, and a check of the same field adds nothing to them.
    """
    keys = {p.key for p in known}
    every = [*known, *(p for p in problems if p.key not in keys)]
    if every:
        raise AgendaError(every)


# --- Espaces --------------------------------------------------------------------------


def save_espace(
    session: Session,
    data: EspaceInput,
    *,
    new: bool,
    now: datetime,
    confirmed: int | None = None,
    known: Sequence[Problem] = (),
) -> Espace:
    """Create or edit an Espace; closing one with bookings to come needs a confirmation."""
    problems: list[Problem] = []
    espace = session.get(Espace, data.id)
    if new:
        if not ESPACE_ID.match(data.id):
            problems.append(
                Problem(
                    "id",
                    N_(
                        "Identifiant invalide : lettres minuscules sans accent, chiffres et _, "
                        "20 caractères au plus, en commençant par une lettre."
                    ),
                )
            )
        elif espace is not None:
            problems.append(Problem("id", N_("Cet identifiant est déjà pris.")))
    elif espace is None:
        raise AgendaError([Problem("id", N_("Cet Espace n'existe pas."))])
    if not data.name.strip():
        problems.append(Problem("name", N_("Le nom est obligatoire.")))
    if not data.commune.strip():
        problems.append(Problem("commune", N_("La commune est obligatoire.")))
    if data.phone and not PHONE.match(data.phone):
        problems.append(
            Problem("phone", N_("Numéro de téléphone invalide (ex. 03 28 00 00 00), ou vide."))
        )
    if (data.latitude is None) != (data.longitude is None):
        problems.append(
            Problem("latitude", N_("Donnez la latitude et la longitude, ou aucune des deux."))
        )
    if data.latitude is not None and not -90 <= data.latitude <= 90:
        problems.append(Problem("latitude", N_("La latitude doit être entre -90 et 90.")))
    if data.longitude is not None and not -180 <= data.longitude <= 180:
        problems.append(Problem("longitude", N_("La longitude doit être entre -180 et 180.")))
    fail_if(problems, known)
    if espace is not None and espace.active and not data.active:
        confirm_or_raise(future_bookings(session, now, espace_id=espace.id), confirmed)
    espace = espace or Espace(id=data.id)
    espace.name, espace.commune = data.name.strip(), data.commune.strip()
    espace.address, espace.phone = data.address or None, data.phone or None
    espace.opening_hours, espace.access_notes = (
        data.opening_hours or None,
        data.access_notes or None,
    )
    espace.latitude, espace.longitude = data.latitude, data.longitude
    espace.active, espace.managed_by = data.active, "console"
    session.add(espace)
    session.flush()
    return espace


# --- motifs ---------------------------------------------------------------------------


def _motif_problems(data: MotifInput, motif: Motif | None, new: bool) -> list[Problem]:
    problems: list[Problem] = []
    if new and not MOTIF_ID.match(data.id):
        problems.append(
            Problem(
                "id",
                N_(
                    "Identifiant invalide : lettres minuscules sans accent, chiffres et _, "
                    "12 caractères au plus, en commençant par une lettre."
                ),
            )
        )
    elif new and motif is not None:
        problems.append(Problem("id", N_("Cet identifiant est déjà pris.")))
    if not data.label.strip():
        problems.append(Problem("label", N_("Le libellé est obligatoire.")))
    if data.duration_min <= 0 or data.duration_min > MAX_MINUTES:
        problems.append(
            Problem(
                "duration_min",
                N_("La durée doit être un nombre de minutes positif ({max} au plus)."),
                {"max": MAX_MINUTES},
            )
        )
    if data.kind not in ("individual", "collective"):
        problems.append(Problem("kind", N_("Choisissez individuel ou collectif.")))
    if data.kind == "collective" and (data.capacity is None or data.capacity < 1):
        problems.append(
            Problem("capacity", N_("Un atelier collectif a une capacité d'au moins 1 place."))
        )
    if data.capacity is not None and data.capacity > MAX_CAPACITY:
        problems.append(Problem("capacity", N_("{max} places au plus."), {"max": MAX_CAPACITY}))
    return problems


def _seats_taken(session: Session, motif_id: str, now: datetime) -> int:
    """The most seats booked in one future session that follows the motif's capacity."""
    shapes = [
        PeriodShape.of(session, row)
        for row in repo_agenda_admin.capacity_following_periods(session, motif_id)
    ]
    return most_seats(session, now, shapes)


def save_motif(
    session: Session,
    data: MotifInput,
    *,
    new: bool,
    now: datetime,
    confirmed: int | None = None,
    known: Sequence[Problem] = (),
) -> Motif:
    """Create or edit a motif; bookings to come keep it (their times never change)."""
    motif = session.get(Motif, data.id)
    if not new and motif is None:
        raise AgendaError([Problem("id", N_("Ce motif n'existe pas."))])
    problems = _motif_problems(data, motif, new)
    capacity = data.capacity if data.kind == "collective" else None
    if motif is not None and not problems and not known:
        booked = future_bookings(session, now, motif_id=motif.id)
        if booked and data.kind != motif.kind:
            problems.append(
                Problem.counted(
                    "kind",
                    N_plural(
                        "{count} rendez-vous à venir est pris sur ce motif : il ne peut pas "
                        "changer de type (individuel ou collectif).",
                        "{count} rendez-vous à venir sont pris sur ce motif : il ne peut pas "
                        "changer de type (individuel ou collectif).",
                    ),
                    len(booked),
                )
            )
        taken = _seats_taken(session, motif.id, now) if data.kind == "collective" else 0
        if capacity is not None and taken > capacity:
            problems.append(
                Problem(
                    "capacity",
                    N_(
                        "{taken} places sont déjà réservées sur une séance à venir : la "
                        "capacité ne peut pas descendre en dessous."
                    ),
                    {"taken": taken},
                )
            )
        fail_if(problems, known)
        if motif.active and not data.active:
            confirm_or_raise(booked, confirmed)
    fail_if(problems, known)
    if motif is None:
        last = repo_agenda_admin.last_motif_position(session)
        motif = Motif(id=data.id, position=(last or 0) + 1)
    resized = motif.duration_min is not None and motif.duration_min != data.duration_min
    motif.label, motif.duration_min, motif.kind = data.label.strip(), data.duration_min, data.kind
    motif.capacity, motif.rsa, motif.physical = capacity, data.rsa, data.physical
    motif.bring = [line.strip() for line in data.bring if line.strip()]
    motif.active, motif.managed_by = data.active, "console"
    session.add(motif)
    if resized:
        for row in repo_agenda_admin.periods_of_motif(session, motif.id):
            row.end = after(row.start, data.duration_min) or time(23, 59)
    session.flush()
    return motif
