"""A participant's page: cadence status, recent contacts, and recording a contact.

Recording goes through the programme's own function (the one ``python -m scheduler contact``
uses), so a call, a meeting, the CER or a diagnosis counts for the cadence exactly the same.
A counsellor sees and records only for their own participants (admins: everyone).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from capabilities.programme.contacts import DIAGNOSES, KIND_LABELS
from console.audit import audit
from console.integrations import ParticipantView
from console.views_sms import change_number, number_error, resume, sms_status
from console.web import checked_form, flash, gettext, page, render, state
from core.clock import PARIS, to_paris
from core.i18n import N_
from store.db import Session
from store.staff import Staff

NOTE_LIMIT = 1000
LOCAL_INPUT = "%Y-%m-%dT%H:%M"  # <input type="datetime-local">


def participant_of(request: Request, session: Session, staff: Staff) -> ParticipantView:
    participant_id = request.path_params.get("participant_id")
    view = (
        state(request).integrations.participant(session, participant_id)
        if isinstance(participant_id, int)
        else None
    )
    if view is None:
        raise HTTPException(404, gettext("Participant inconnu."))
    if staff.role != "admin" and view.counsellor_id != staff.id:
        raise HTTPException(403, gettext("Ce participant est suivi par un autre conseiller."))
    return view


def _page(
    request: Request,
    session: Session,
    staff: Staff,
    view: ParticipantView,
    values: dict[str, Any],
    error: str | None = None,
    phone_error: str | None = None,
) -> Response:
    now = to_paris(state(request).clock())
    return render(
        request,
        "participant.html",
        {
            "staff": staff,
            "participant": view,
            "kinds": {kind: gettext(label) for kind, label in KIND_LABELS.items()},
            "values": values,
            "error": error,
            "phone_error": phone_error,
            "sms": sms_status(session, view.person_id),
            "max_at": now.strftime(LOCAL_INPUT),
        },
        status_code=400 if error or phone_error else 200,
    )


@page()
async def participant_page(request: Request, session: Session, staff: Staff) -> Response:
    """Where the participant stands, what was recorded, and the contact form."""
    view = participant_of(request, session, staff)
    console = state(request)
    audit(session, staff, "view", f"participant {view.id}", console.clock(), view.person_id)
    now = to_paris(console.clock()).strftime(LOCAL_INPUT)
    return _page(request, session, staff, view, {"kind": "phone", "at": now})


def _moment(raw: str) -> datetime | None:
    """A Paris wall time from the form, in UTC."""
    for pattern in (LOCAL_INPUT, "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"):
        try:
            return datetime.strptime(raw.strip(), pattern).replace(tzinfo=PARIS)
        except ValueError:
            continue
    return None


@page()
async def contact_action(request: Request, session: Session, staff: Staff) -> Response:
    """Record a call, a meeting, the CER or a diagnosis update."""
    form = await checked_form(request)
    view = participant_of(request, session, staff)
    console = state(request)
    values = {key: str(form.get(key) or "") for key in ("kind", "at", "note", "which")}
    kind = values["kind"]
    at = _moment(values["at"]) if values["at"] else console.clock()
    which = values["which"] or None
    error = None
    if kind not in KIND_LABELS:
        error = N_("Choisissez le type de contact.")
    elif at is None:
        error = N_("Date et heure invalides (ex. 24/11/2026 14:30).")
    elif which is not None and which not in DIAGNOSES:
        error = N_("Diagnostic : à 3 mois ou final.")
    if error is not None or at is None:
        return _page(request, session, staff, view, values, gettext(error or N_("Date invalide.")))
    try:
        recorded = console.integrations.record_contact(
            session,
            view.id,
            kind=kind,
            at=at,
            note=values["note"].strip()[:NOTE_LIMIT],
            staff_id=staff.id,
            which=which if kind == "diagnosis" else None,
        )
    except ValueError as refused:
        return _page(request, session, staff, view, values, gettext(str(refused)))
    if not recorded:
        raise HTTPException(404, gettext("Participant inconnu."))
    when = to_paris(at)
    audit(
        session,
        staff,
        "contact",
        f"participant {view.id} : {kind} du {when:%d/%m/%Y %H:%M}",
        console.clock(),
        view.person_id,
    )
    flash(
        request,
        gettext("Contact enregistré : {kind}, le {day} à {time}.").format(
            kind=gettext(KIND_LABELS[kind]), day=f"{when:%d/%m/%Y}", time=f"{when:%H:%M}"
        ),
    )
    return RedirectResponse(f"/participants/{view.id}", status_code=303)


@page()
async def sms_resume_action(request: Request, session: Session, staff: Staff) -> Response:
    """« Reprendre les SMS »: the number receives SMS again (the counsellor checked it)."""
    await checked_form(request)
    view = participant_of(request, session, staff)
    if view.person_id is not None:
        resume(request, session, staff, view.person_id, f"participant {view.id}")
    return RedirectResponse(f"/participants/{view.id}", status_code=303)


@page()
async def sms_number_action(request: Request, session: Session, staff: Staff) -> Response:
    """Change the mobile number: checked, audited; nothing changes on a bad number."""
    form = await checked_form(request)
    view = participant_of(request, session, staff)
    raw = str(form.get("phone") or "")[:40]
    if view.person_id is None:
        raise HTTPException(404, gettext("Participant inconnu."))
    error, number = number_error(session, view.person_id, raw)
    if error is not None:
        values = {"kind": "phone", "phone": raw}
        return _page(request, session, staff, view, values, phone_error=error)
    change_number(request, session, staff, view.person_id, number, f"participant {view.id}")
    return RedirectResponse(f"/participants/{view.id}", status_code=303)
