"""Caseload (cadence compliance, enrolment with QR code) and the day view (émargement)."""

from __future__ import annotations

import io
from datetime import date

import segno
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from capabilities.programme.enrolment import link_for
from console.audit import audit
from console.integrations import ATTENDANCE, AppointmentRow
from console.views_intake import intakes_of
from console.web import checked_form, flash, page, render, state
from core.clock import to_paris
from core.phone import InvalidNumber, french_mobile
from store.db import Session
from store.staff import Staff


def qr_svg(link: str) -> str:
    """The invitation link as an inline SVG QR code."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="svg", scale=4, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()


@page()
async def caseload_page(request: Request, session: Session, staff: Staff) -> Response:
    """Each counsellor's participants, overdue first (admins see everyone)."""
    console = state(request)
    rows = console.integrations.caseload(session, None if staff.role == "admin" else staff.id)
    rows.sort(key=lambda row: (not row.overdue, row.name.lower()))
    invitation = request.session.pop("invitation", None)
    link = qr = None
    if isinstance(invitation, str):
        username = console.settings.telegram_bot_username
        link = link_for(username, invitation)
        qr = qr_svg(link)
    return render(
        request,
        "caseload.html",
        {"staff": staff, "rows": rows, "link": link, "qr": qr, "code": invitation},
    )


@page()
async def enrol_action(request: Request, session: Session, staff: Staff) -> Response:
    """Enrol a participant: an invitation link and QR code to hand over."""
    form = await checked_form(request)
    label = str(form.get("label") or "").strip()[:80]
    if not label:
        flash(request, "Indiquez un nom ou une référence.")
        return RedirectResponse("/caseload", status_code=303)
    phone = None
    if form.get("channel") == "sms":
        try:
            phone = french_mobile(str(form.get("phone") or "")[:40])
        except InvalidNumber as error:  # nothing created
            flash(request, f"Inscription impossible : {error}")
            return RedirectResponse("/caseload", status_code=303)
    console = state(request)
    enrolment = console.integrations.enrol(session, staff.id, label, phone=phone)
    if enrolment is None:
        flash(request, "L'inscription au programme n'est pas encore disponible.")
    elif phone is not None:
        flash(request, f"{label} est inscrit(e) : le suivi de la semaine partira par SMS.")
        audit(session, staff, "enrol", label, console.clock(), None)
    else:
        request.session["invitation"] = enrolment.code
        audit(session, staff, "enrol", label, console.clock(), None)
    return RedirectResponse("/caseload", status_code=303)


def _day(request: Request) -> date:
    raw = request.query_params.get("date", "")
    try:
        return date.fromisoformat(raw) if raw else to_paris(state(request).clock()).date()
    except ValueError:
        return to_paris(state(request).clock()).date()


@page()
async def day_page(request: Request, session: Session, staff: Staff) -> Response:
    """Today's appointments per Espace, with one-click attendance."""
    day = _day(request)
    rows = state(request).integrations.day(session, day)
    espaces: dict[str, list[AppointmentRow]] = {}
    for row in rows:
        espaces.setdefault(row.espace, []).append(row)
    return render(
        request,
        "day.html",
        {
            "staff": staff,
            "day": day,
            "espaces": espaces,
            "attendance": ATTENDANCE,
            "intakes": intakes_of(session, [r.person_id for r in rows if r.person_id]),
        },
    )


@page()
async def attendance_action(request: Request, session: Session, staff: Staff) -> Response:
    """Mark one appointment seen, excused, no-show or revoked."""
    form = await checked_form(request)
    status = str(form.get("status") or "")
    appointment_id = request.path_params.get("appointment_id")
    if status not in ATTENDANCE or not isinstance(appointment_id, int):
        raise HTTPException(400, "Statut inconnu.")
    console = state(request)
    if not console.integrations.mark_attendance(session, appointment_id, status, staff.id):
        raise HTTPException(404, "Rendez-vous inconnu.")
    audit(session, staff, "attendance", f"rdv {appointment_id} {status}", console.clock(), None)
    flash(request, f"Émargement enregistré : {ATTENDANCE[status]}.")
    if form.get("back") == "today":
        return RedirectResponse("/#rdv", status_code=303)
    back = str(form.get("date") or "")
    return RedirectResponse(f"/day?date={back}" if back else "/day", status_code=303)
