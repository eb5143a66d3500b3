"""Admin pages of the agenda: the overview, Espaces and motifs (periods: `views_periods`).

Every form posts back to its own page: problems are shown beside their field (status 400),
future bookings a change would leave out are counted and must be confirmed (status 409).
A saved change is audited, committed, and the booking agenda cache is dropped so the bot
offers the new slots at once (in this process; another process within a minute).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from capabilities.appointments.admin import (
    AgendaError,
    NeedsConfirmation,
    Problem,
    save_espace,
    save_motif,
)
from capabilities.appointments.admin_checks import WEEKDAY_NAMES, hm
from capabilities.appointments.agenda import forget_calendars
from console import agenda_forms as forms
from console.audit import audit
from console.web import checked_form, flash, gettext, ngettext, page, render, state
from core.clock import to_paris
from store import repo_console, repo_console_agenda
from store.appointments import Closure, Espace, Motif, OpeningPeriod
from store.db import Session
from store.staff import Staff

T = TypeVar("T")
Row = TypeVar("Row")
AGENDA = "/admin/agenda"


@dataclass
class PeriodRow:
    """One weekly period as the overview lists it."""

    row: OpeningPeriod
    day: str
    hours: str
    what: str
    staff: list[str]


def period_rows(session: Session, periods: Sequence[OpeningPeriod]) -> list[PeriodRow]:
    names = repo_console.staff_names(session)
    labels = repo_console_agenda.motif_labels(session)
    present: dict[int, list[str]] = defaultdict(list)
    for link in repo_console_agenda.period_staff(session):
        present[link.period_id].append(names.get(link.staff_id, str(link.staff_id)))
    rows = []
    for p in periods:
        if p.motif_id:
            capacity = p.capacity or 0
            what = gettext("Séance : {motif}").format(motif=labels.get(p.motif_id, p.motif_id))
            if capacity:
                what += " · " + ngettext("{n} place", "{n} places", capacity).format(n=capacity)
        elif p.motif_ids:
            what = gettext("Accueil individuel : {motifs}").format(
                motifs=", ".join(labels.get(m, m) for m in p.motif_ids)
            )
        else:
            what = gettext("Accueil individuel (tous les motifs)")
        rows.append(
            PeriodRow(
                p,
                gettext(WEEKDAY_NAMES[p.weekday]),
                f"{hm(p.start)} – {hm(p.end)}",
                what,
                sorted(present[p.id]),
            )
        )
    return rows


@page(admin=True)
async def agenda_page(request: Request, session: Session, staff: Staff) -> Response:
    """The whole agenda: Espaces, motifs, weekly periods and closures to come."""
    today = to_paris(state(request).clock()).date()
    espaces = repo_console_agenda.espaces_overview(session)
    periods = repo_console_agenda.active_periods(session)
    by_espace: dict[str, list[PeriodRow]] = defaultdict(list)
    for row in period_rows(session, periods):
        by_espace[row.row.espace_id].append(row)
    closures: dict[str, list[Closure]] = defaultdict(list)
    for closure in repo_console_agenda.closures_from(session, today):
        closures[closure.espace_id].append(closure)
    return render(
        request,
        "agenda.html",
        {
            "staff": staff,
            "espaces": espaces,
            "motifs": repo_console_agenda.motifs_in_order(session),
            "periods": by_espace,
            "closures": closures,
            "hm": hm,
        },
    )


# --- the save/refuse/confirm cycle ---------------------------------------------------


def form_page(
    request: Request,
    template: str,
    context: dict[str, Any],
    values: forms.Values,
    problems: Sequence[Problem] = (),
    need: NeedsConfirmation | None = None,
) -> Response:
    errors: dict[str, list[str]] = defaultdict(list)
    for problem in problems:
        errors[problem.key].append(problem.text(gettext, ngettext))
    confirm = None
    if need is not None:
        confirm = {"count": need.count, "text": need.problem.text(gettext, ngettext)}
    status = 409 if need is not None else 400 if problems else 200
    return render(
        request,
        template,
        {**context, "values": values, "errors": errors, "confirm": confirm},
        status_code=status,
    )


def attempt(action: Callable[[], T]) -> tuple[T | None, list[Problem], NeedsConfirmation | None]:
    try:
        return action(), [], None
    except AgendaError as error:
        return None, error.problems, None
    except NeedsConfirmation as need:
        return None, [], need


def finish(
    request: Request, session: Session, staff: Staff, target: str, message: str, back: str
) -> Response:
    audit(session, staff, "agenda", target, state(request).clock(), None)
    session.commit()
    forget_calendars()  # after the commit: the next search reads the new agenda
    flash(request, message)
    return RedirectResponse(back, status_code=303)


def optional_row(
    request: Request, session: Session, model: type[Row], name: str, missing: str
) -> Row | None:
    """The row named by the path (edit forms), ``None`` without one (create), else 404."""
    key = request.path_params.get(name)
    if key is None:
        return None
    row = session.get(model, key) if isinstance(key, str) else None
    if row is None:
        raise HTTPException(404, missing)
    return row


def number(request: Request, name: str) -> int:
    value = request.path_params.get(name)
    if not isinstance(value, int):
        raise HTTPException(404, gettext("Page inconnue."))
    return value


# --- Espaces -------------------------------------------------------------------------


def _espace_context(staff: Staff, espace: Espace | None) -> dict[str, Any]:
    return {"staff": staff, "espace": espace, "new": espace is None}


@page(admin=True)
async def espace_form(request: Request, session: Session, staff: Staff) -> Response:
    """A new Espace, or one to edit."""
    espace = optional_row(
        request, session, Espace, "espace_id", gettext("Cet Espace n'existe pas.")
    )
    values: forms.Values = forms.espace_values(espace) if espace else {"active": True}
    return form_page(request, "agenda_espace.html", _espace_context(staff, espace), values)


@page(admin=True)
async def espace_save(request: Request, session: Session, staff: Staff) -> Response:
    """Create or edit an Espace."""
    form = await checked_form(request)
    espace = optional_row(
        request, session, Espace, "espace_id", gettext("Cet Espace n'existe pas.")
    )
    data, known = forms.read_espace(form, espace.id if espace else None)
    now = state(request).clock()
    was_active = espace.active if espace else True
    saved, problems, need = attempt(
        lambda: save_espace(
            session,
            data,
            new=espace is None,
            now=now,
            confirmed=forms.confirmed(form),
            known=known,
        )
    )
    if saved is None:
        return form_page(
            request,
            "agenda_espace.html",
            _espace_context(staff, espace),
            forms.posted_values(form),
            problems,
            need,
        )
    change = "créé" if espace is None else "fermé" if was_active and not saved.active else "modifié"
    return finish(
        request,
        session,
        staff,
        f"Espace {saved.id} {change}",
        gettext("Espace « {name} » enregistré.").format(name=saved.name),
        AGENDA,
    )


# --- motifs --------------------------------------------------------------------------


def _motif_context(staff: Staff, motif: Motif | None) -> dict[str, Any]:
    return {"staff": staff, "motif": motif, "new": motif is None}


@page(admin=True)
async def motif_form(request: Request, session: Session, staff: Staff) -> Response:
    """A new motif, or one to edit."""
    motif = optional_row(request, session, Motif, "motif_id", gettext("Ce motif n'existe pas."))
    values: forms.Values = (
        forms.motif_values(motif) if motif else {"active": True, "physical": True}
    )
    return form_page(request, "agenda_motif.html", _motif_context(staff, motif), values)


@page(admin=True)
async def motif_save(request: Request, session: Session, staff: Staff) -> Response:
    """Create or edit a motif."""
    form = await checked_form(request)
    motif = optional_row(request, session, Motif, "motif_id", gettext("Ce motif n'existe pas."))
    data, known = forms.read_motif(form, motif.id if motif else None)
    now = state(request).clock()
    saved, problems, need = attempt(
        lambda: save_motif(
            session,
            data,
            new=motif is None,
            now=now,
            confirmed=forms.confirmed(form),
            known=known,
        )
    )
    if saved is None:
        return form_page(
            request,
            "agenda_motif.html",
            _motif_context(staff, motif),
            forms.posted_values(form),
            problems,
            need,
        )
    change = "créé" if motif is None else "modifié" if saved.active else "désactivé"
    return finish(
        request,
        session,
        staff,
        f"motif {saved.id} {change}",
        gettext("Motif « {label} » enregistré.").format(label=saved.label),
        AGENDA,
    )
