"""Admins edit the weekly periods and the closures of the agenda (see :mod:`.admin`).

A period is individual appointments with the staff present (``motif_id`` None) or a
collective session of a motif (it ends after the motif's duration). Removing a period or a
closure keeps an inactive ``console`` row, so the file sync does not bring it back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from capabilities.appointments.admin import MAX_CAPACITY, after, fail_if
from capabilities.appointments.admin_checks import (
    AgendaError,
    PeriodShape,
    Problem,
    confirm_or_raise,
    future_bookings,
    left_out,
    most_seats,
    overlaps,
)
from core.clock import PARIS
from core.i18n import N_
from store import repo_agenda_admin
from store.appointments import Closure, Espace, Motif, OpeningPeriod, PeriodStaff
from store.db import Session


@dataclass
class PeriodInput:
    """The weekly period form: individual appointments (``motif_id`` None) or a session."""

    espace_id: str
    weekday: int
    start: time
    end: time | None  # a session ends after its motif's duration
    motif_id: str | None = None
    motif_ids: tuple[str, ...] = ()
    staff_ids: tuple[int, ...] = ()
    capacity: int | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    example: bool = False


@dataclass
class ClosureInput:
    """A closed day, or part of a day."""

    espace_id: str
    day: date
    start: time | None = None
    end: time | None = None
    reason: str = ""


def _period_problems(session: Session, data: PeriodInput) -> tuple[list[Problem], time | None]:
    problems: list[Problem] = []
    espace = session.get(Espace, data.espace_id)
    if espace is None:
        problems.append(Problem("espace_id", N_("Choisissez un Espace.")))
    if not 0 <= data.weekday <= 6:
        problems.append(Problem("weekday", N_("Choisissez un jour de la semaine.")))
    end = data.end
    staff = repo_agenda_admin.staff_by_ids(session, data.staff_ids)
    for staff_id in data.staff_ids:
        if staff_id not in staff or not staff[staff_id].active:
            problems.append(
                Problem(
                    "staff",
                    N_("Membre de l'équipe inconnu ou désactivé (n° {id})."),
                    {"id": staff_id},
                )
            )
    if data.motif_id is not None:
        motif = session.get(Motif, data.motif_id)
        if motif is None or motif.kind != "collective" or not motif.active:
            problems.append(Problem("motif_id", N_("Choisissez un atelier collectif actif.")))
        else:
            end = after(data.start, motif.duration_min)
            if end is None:
                problems.append(Problem("start", N_("La séance finirait après minuit.")))
        if data.capacity is not None and data.capacity < 1:
            problems.append(Problem("capacity", N_("La capacité doit être d'au moins 1 place.")))
        elif data.capacity is not None and data.capacity > MAX_CAPACITY:
            problems.append(Problem("capacity", N_("{max} places au plus."), {"max": MAX_CAPACITY}))
    else:
        if not data.staff_ids:
            problems.append(
                Problem(
                    "staff",
                    N_("Choisissez au moins une personne présente : sans elle, aucun créneau."),
                )
            )
        if end is None or end <= data.start:
            problems.append(Problem("end", N_("L'heure de fin doit être après l'heure de début.")))
        individual = {
            m.id: m.duration_min for m in repo_agenda_admin.active_individual_motifs(session)
        }
        for motif_id in data.motif_ids:
            if motif_id not in individual:
                problems.append(
                    Problem(
                        "motif_ids",
                        N_("« {id} » n'est pas un motif individuel actif."),
                        {"id": motif_id},
                    )
                )
        durations = [individual[m] for m in data.motif_ids if m in individual] or list(
            individual.values()
        )
        if end is not None and end > data.start and durations:
            length = datetime.combine(date.min, end) - datetime.combine(date.min, data.start)
            if length < timedelta(minutes=min(durations)):
                problems.append(
                    Problem(
                        "end",
                        N_(
                            "La plage est plus courte que le rendez-vous le plus court "
                            "({minutes} min)."
                        ),
                        {"minutes": min(durations)},
                    )
                )
    if data.valid_from and data.valid_until and data.valid_until < data.valid_from:
        problems.append(
            Problem("valid_until", N_("La date de fin de validité est avant celle de début."))
        )
    return problems, end


def _names(session: Session) -> tuple[dict[int, str], dict[str, str], dict[str, str]]:
    staff = {s.id: s.name for s in repo_agenda_admin.all_staff(session)}
    espaces = {e.id: e.name for e in repo_agenda_admin.all_espaces(session)}
    motifs = {m.id: m.label for m in repo_agenda_admin.all_motifs(session)}
    return staff, espaces, motifs


def save_period(
    session: Session,
    data: PeriodInput,
    *,
    period_id: int | None,
    now: datetime,
    confirmed: int | None = None,
    known: Sequence[Problem] = (),
) -> OpeningPeriod:
    """Create or edit a weekly period; no overlap, and bookings it stops covering confirmed."""
    row = session.get(OpeningPeriod, period_id) if period_id is not None else None
    if period_id is not None and (row is None or not row.active):
        raise AgendaError([Problem("id", N_("Cette plage n'existe plus."))])
    problems, end = _period_problems(session, data)
    fail_if(problems, known)
    assert end is not None
    shape = PeriodShape(
        data.espace_id,
        data.weekday,
        data.start,
        end,
        data.motif_id,
        frozenset(data.motif_ids),
        frozenset(data.staff_ids),
        data.valid_from,
        data.valid_until,
    )
    others = [
        (other.id, PeriodShape.of(session, other))
        for other in repo_agenda_admin.other_active_periods(session, period_id)
    ]
    fail_if(overlaps(shape, others, *_names(session)))
    if row is not None and data.motif_id is not None:
        motif = session.get(Motif, data.motif_id)
        capacity = data.capacity or (motif.capacity if motif else None) or 0
        taken = most_seats(session, now, [shape])
        if taken > capacity:
            fail_if(
                [
                    Problem(
                        "capacity",
                        N_(
                            "{taken} places sont déjà réservées sur une séance à venir : la "
                            "capacité ne peut pas descendre en dessous."
                        ),
                        {"taken": taken},
                    )
                ]
            )
    if row is not None:
        confirm_or_raise(left_out(session, now, PeriodShape.of(session, row), shape), confirmed)
    row = row or OpeningPeriod()
    row.espace_id, row.weekday, row.start, row.end = data.espace_id, data.weekday, data.start, end
    row.motif_id = data.motif_id
    row.motif_ids = [] if data.motif_id else list(dict.fromkeys(data.motif_ids))
    row.capacity = data.capacity if data.motif_id else None
    row.valid_from, row.valid_until, row.example = data.valid_from, data.valid_until, data.example
    row.active, row.managed_by = True, "console"
    session.add(row)
    session.flush()
    repo_agenda_admin.clear_period_staff(session, row.id)
    session.add_all(
        PeriodStaff(period_id=row.id, staff_id=staff_id)
        for staff_id in dict.fromkeys(data.staff_ids)
    )
    session.flush()
    return row


def remove_period(
    session: Session, period_id: int, *, now: datetime, confirmed: int | None = None
) -> OpeningPeriod:
    """Stop a weekly period (kept inactive, so the file sync does not bring it back)."""
    row = session.get(OpeningPeriod, period_id)
    if row is None or not row.active:
        raise AgendaError([Problem("id", N_("Cette plage n'existe plus."))])
    confirm_or_raise(left_out(session, now, PeriodShape.of(session, row), None), confirmed)
    row.active, row.managed_by = False, "console"
    session.flush()
    return row


# --- closures -------------------------------------------------------------------------


def save_closure(
    session: Session,
    data: ClosureInput,
    *,
    now: datetime,
    confirmed: int | None = None,
    known: Sequence[Problem] = (),
) -> Closure:
    """Close an Espace for a day or part of it; bookings that day are counted, kept, confirmed."""
    problems: list[Problem] = []
    if session.get(Espace, data.espace_id) is None:
        problems.append(Problem("espace_id", N_("Choisissez un Espace.")))
    if data.day < now.astimezone(PARIS).date():
        problems.append(Problem("day", N_("Cette date est déjà passée.")))
    if (data.start is None) != (data.end is None):
        problems.append(
            Problem("end", N_("Donnez l'heure de début et l'heure de fin, ou aucune des deux."))
        )
    elif data.start is not None and data.end is not None and data.end <= data.start:
        problems.append(Problem("end", N_("L'heure de fin doit être après l'heure de début.")))
    fail_if(problems, known)
    same = repo_agenda_admin.same_closure(session, data.espace_id, data.day, data.start)
    if same is not None:
        fail_if([Problem("day", N_("Cette fermeture est déjà enregistrée."))])
    hit = []
    for booking in future_bookings(session, now, espace_id=data.espace_id):
        start, stop = booking.starts_at.astimezone(PARIS), booking.ends_at.astimezone(PARIS)
        if start.date() != data.day:
            continue
        if (
            data.start is None
            or data.end is None
            or (start.time() < data.end and data.start < stop.time())
        ):
            hit.append(booking)
    confirm_or_raise(hit, confirmed)
    row = Closure(
        espace_id=data.espace_id,
        day=data.day,
        start=data.start,
        end=data.end,
        reason=data.reason.strip()[:120],
        active=True,
        managed_by="console",
    )
    session.add(row)
    session.flush()
    return row


def remove_closure(session: Session, closure_id: int) -> Closure:
    """Reopen: the closure is kept inactive (the file sync does not bring it back)."""
    row = session.get(Closure, closure_id)
    if row is None or not row.active:
        raise AgendaError([Problem("id", N_("Cette fermeture n'existe plus."))])
    row.active, row.managed_by = False, "console"
    session.flush()
    return row
