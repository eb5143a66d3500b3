"""Admin pages of the agenda: weekly periods and closures (see :mod:`console.views_agenda`)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from capabilities.appointments.admin_checks import WEEKDAY_NAMES, hm
from capabilities.appointments.admin_periods import (
    remove_closure,
    remove_period,
    save_closure,
    save_period,
)
from console import agenda_forms as forms
from console.views_agenda import AGENDA, attempt, finish, form_page, number, period_rows
from console.web import checked_form, gettext, ngettext, page, state
from store import repo_console_agenda
from store.appointments import Espace, OpeningPeriod
from store.db import Session
from store.staff import Staff

# --- weekly periods ------------------------------------------------------------------


def _period_context(session: Session, staff: Staff, row: OpeningPeriod | None) -> dict[str, Any]:
    return {
        "staff": staff,
        "period": row,
        "new": row is None,
        "espaces": repo_console_agenda.espaces_by_name(session),
        "motifs": repo_console_agenda.active_motifs(session),
        "members": repo_console_agenda.active_staff(session),
        "weekdays": [gettext(name) for name in WEEKDAY_NAMES],
    }


def _period_label(row: OpeningPeriod) -> str:
    return f"{row.espace_id} {WEEKDAY_NAMES[row.weekday]} {hm(row.start)}-{hm(row.end)}"


def _active_period(session: Session, request: Request) -> OpeningPeriod:
    row = session.get(OpeningPeriod, number(request, "period_id"))
    if row is None or not row.active:
        raise HTTPException(404, gettext("Cette plage n'existe plus."))
    return row


@page(admin=True)
async def period_form(request: Request, session: Session, staff: Staff) -> Response:
    """A new weekly period (``?espace=`` preselected), or one to edit."""
    row = _active_period(session, request) if "period_id" in request.path_params else None
    values: forms.Values = (
        forms.period_values(session, row)
        if row
        else {"espace_id": request.query_params.get("espace", ""), "kind": "individual"}
    )
    return form_page(request, "agenda_period.html", _period_context(session, staff, row), values)


@page(admin=True)
async def period_save(request: Request, session: Session, staff: Staff) -> Response:
    """Create or edit a weekly period."""
    form = await checked_form(request)
    row = _active_period(session, request) if "period_id" in request.path_params else None
    data, known = forms.read_period(form)
    now = state(request).clock()
    saved, problems, need = attempt(
        lambda: save_period(
            session,
            data,
            period_id=row.id if row else None,
            now=now,
            confirmed=forms.confirmed(form),
            known=known,
        )
    )
    if saved is None:
        return form_page(
            request,
            "agenda_period.html",
            _period_context(session, staff, row),
            forms.posted_values(form, ("staff", "motif_ids")),
            problems,
            need,
        )
    count = forms.confirmed(form)
    kept = (
        " "
        + ngettext("({count} rdv conservé)", "({count} rdv conservés)", count).format(count=count)
        if count
        else ""
    )
    return finish(
        request,
        session,
        staff,
        f"plage {saved.id} {'créée' if row is None else 'modifiée'} : {_period_label(saved)}{kept}",
        gettext("Plage enregistrée : le {day} de {start} à {end}.").format(
            day=gettext(WEEKDAY_NAMES[saved.weekday]), start=hm(saved.start), end=hm(saved.end)
        ),
        f"{AGENDA}#espace-{saved.espace_id}",
    )


@page(admin=True)
async def period_remove(request: Request, session: Session, staff: Staff) -> Response:
    """Remove a weekly period; bookings it covered are counted and must be confirmed."""
    form = await checked_form(request)
    row = _active_period(session, request)
    now = state(request).clock()
    count = forms.confirmed(form)
    saved, problems, need = attempt(
        lambda: remove_period(session, row.id, now=now, confirmed=count)
    )
    if saved is None:
        context = {
            "staff": staff,
            "period": period_rows(session, [row])[0],
            "espace": session.get(Espace, row.espace_id),
        }
        return form_page(request, "agenda_remove.html", context, {}, problems, need)
    kept = (
        " "
        + ngettext("({count} rdv conservé)", "({count} rdv conservés)", count).format(count=count)
        if count
        else ""
    )
    return finish(
        request,
        session,
        staff,
        f"plage {saved.id} supprimée : {_period_label(saved)}{kept}",
        gettext("Plage supprimée : le {day} de {start} à {end}.").format(
            day=gettext(WEEKDAY_NAMES[saved.weekday]), start=hm(saved.start), end=hm(saved.end)
        ),
        f"{AGENDA}#espace-{saved.espace_id}",
    )


# --- closures ------------------------------------------------------------------------


def _closure_context(session: Session, staff: Staff) -> dict[str, Any]:
    espaces = repo_console_agenda.espaces_by_name(session)
    return {"staff": staff, "espaces": espaces}


@page(admin=True)
async def closure_form(request: Request, session: Session, staff: Staff) -> Response:
    """A new closure (``?espace=`` preselected)."""
    values: forms.Values = {"espace_id": request.query_params.get("espace", "")}
    return form_page(request, "agenda_closure.html", _closure_context(session, staff), values)


@page(admin=True)
async def closure_save(request: Request, session: Session, staff: Staff) -> Response:
    """Close an Espace for a day or part of a day."""
    form: FormData = await checked_form(request)
    data, known = forms.read_closure(form)
    now = state(request).clock()
    saved, problems, need = attempt(
        lambda: save_closure(session, data, now=now, confirmed=forms.confirmed(form), known=known)
    )
    if saved is None:
        return form_page(
            request,
            "agenda_closure.html",
            _closure_context(session, staff),
            forms.posted_values(form),
            problems,
            need,
        )
    return finish(
        request,
        session,
        staff,
        f"fermeture {saved.id} : {saved.espace_id} {saved.day:%d/%m/%Y}",
        gettext("Fermeture enregistrée le {day}.").format(day=f"{saved.day:%d/%m/%Y}"),
        f"{AGENDA}#espace-{saved.espace_id}",
    )


@page(admin=True)
async def closure_remove(request: Request, session: Session, staff: Staff) -> Response:
    """Reopen: the closure no longer applies."""
    await checked_form(request)
    closure_id = number(request, "closure_id")
    saved, problems, _need = attempt(lambda: remove_closure(session, closure_id))
    if saved is None:
        raise HTTPException(404, problems[0].text(gettext, ngettext))
    return finish(
        request,
        session,
        staff,
        f"fermeture {saved.id} levée : {saved.espace_id} {saved.day:%d/%m/%Y}",
        gettext("Fermeture du {day} levée.").format(day=f"{saved.day:%d/%m/%Y}"),
        f"{AGENDA}#espace-{saved.espace_id}",
    )
