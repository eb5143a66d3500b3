"""Caseload (cadence compliance, enrolment with QR code) and the day view (émargement).

Enrolment asks the name, the orientation date (required, not after today) and the referent
(a counsellor, the one signed in by default), and how the person will be reached (the
channel: Telegram's invitation link). Bad input shows the form again with what was typed and
a French error; nothing is created. Nothing is sent by itself: the page says the invitation
is created and must be handed over, and without ``TELEGRAM_BOT_USERNAME`` it shows a warning
instead of a link and a QR code that would lead nowhere.
"""

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
from console.web import checked_form, flash, gettext, page, render, state
from core.clock import to_paris
from core.i18n import N_
from core.phone import InvalidNumber, french_mobile
from store import repo_console
from store.db import Session
from store.staff import Staff


def qr_svg(link: str) -> str:
    """The invitation link as an inline SVG QR code."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="svg", scale=4, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()


# How an enrolled person is reached (the form's « Canal »): value → label.
CHANNELS = {
    "telegram": N_("Telegram : lien d'invitation et QR code à transmettre"),
    "sms": N_("Par SMS, sur son portable"),
}


def _caseload(
    request: Request,
    session: Session,
    staff: Staff,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
) -> Response:
    console = state(request)
    rows = console.integrations.caseload(session, None if staff.role == "admin" else staff.id)
    rows.sort(key=lambda row: (not row.overdue, row.name.lower()))
    invitation = request.session.pop("invitation", None)
    invited = request.session.pop("invited", None)
    username = console.settings.telegram_bot_username
    link = qr = None
    if isinstance(invitation, str) and username:
        link = link_for(username, invitation)
        qr = qr_svg(link)
    today = to_paris(console.clock()).date()
    values = {
        "label": "",
        "orientation_on": "",
        "referent": str(staff.id),
        "channel": "telegram",
        "phone": "",
    }
    values.update(form or {})
    return render(
        request,
        "caseload.html",
        {
            "staff": staff,
            "rows": rows,
            "link": link,
            "qr": qr,
            "code": invitation if isinstance(invitation, str) else None,
            "invited": invited if isinstance(invited, str) else "",
            "bot_username": username,
            "sms_ready": console.settings.sms_provider == "brevo",
            "referents": repo_console.active_members(session),
            "channels": CHANNELS,
            "today": today.isoformat(),
            "form": values,
            "error": error,
        },
        status_code=400 if error else 200,
    )


@page()
async def caseload_page(request: Request, session: Session, staff: Staff) -> Response:
    """Each counsellor's participants, overdue first (admins see everyone), and enrolment."""
    return _caseload(request, session, staff)


def _enrol_error(session: Session, form: dict[str, str], today: date) -> str | None:
    """What is wrong with the enrolment form, in plain French (``None``: all good)."""
    if not form["label"]:
        return gettext("Indiquez le nom ou une référence de la personne.")
    raw = form["orientation_on"]
    if not raw:
        return gettext("Indiquez la date d'orientation.")
    try:
        oriented = date.fromisoformat(raw)
    except ValueError:
        return gettext("Date d'orientation invalide : choisissez un jour dans le calendrier.")
    if oriented > today:
        return gettext("La date d'orientation ne peut pas être après aujourd'hui.")
    referents = {str(member.id) for member in repo_console.active_members(session)}
    if form["referent"] not in referents:
        return gettext("Référent inconnu : choisissez un conseiller dans la liste.")
    if form["channel"] not in CHANNELS:
        return gettext("Canal inconnu : choisissez comment la personne sera jointe.")
    return None


@page()
async def enrol_action(request: Request, session: Session, staff: Staff) -> Response:
    """Enrol a participant: an invitation link and QR code to hand over (nothing is sent)."""
    posted = await checked_form(request)
    form = {
        "label": " ".join(str(posted.get("label") or "").split())[:80],
        "orientation_on": str(posted.get("orientation_on") or "").strip(),
        "referent": str(posted.get("referent") or staff.id).strip(),
        "channel": str(posted.get("channel") or "telegram").strip(),
        "phone": str(posted.get("phone") or "").strip()[:40],
    }
    console = state(request)
    error = _enrol_error(session, form, to_paris(console.clock()).date())
    if error is not None:
        return _caseload(request, session, staff, form=form, error=error)
    phone = None
    if form["channel"] == "sms":
        try:
            phone = french_mobile(form["phone"])
        except InvalidNumber as refused:  # nothing created
            message = gettext("Numéro de portable : {problem}").format(problem=refused)
            return _caseload(request, session, staff, form=form, error=message)
    oriented = date.fromisoformat(form["orientation_on"])
    try:
        enrolment = console.integrations.enrol(
            session, int(form["referent"]), form["label"], orientation_on=oriented, phone=phone
        )
    except HTTPException as refused:
        session.rollback()
        return _caseload(request, session, staff, form=form, error=str(refused.detail))
    if enrolment is None:
        flash(request, gettext("L'inscription au programme n'est pas encore disponible."))
    elif phone is not None:
        message = gettext("{name} est inscrit·e : le suivi de la semaine partira par SMS.")
        flash(request, message.format(name=form["label"]))
        audit(session, staff, "enrol", form["label"], console.clock(), None)
    else:
        request.session["invitation"] = enrolment.code
        request.session["invited"] = form["label"]
        audit(session, staff, "enrol", form["label"], console.clock(), None)
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
        raise HTTPException(400, gettext("Statut inconnu."))
    console = state(request)
    if not console.integrations.mark_attendance(session, appointment_id, status, staff.id):
        raise HTTPException(404, gettext("Rendez-vous inconnu."))
    audit(session, staff, "attendance", f"rdv {appointment_id} {status}", console.clock(), None)
    label = gettext(ATTENDANCE[status])
    flash(request, gettext("Émargement enregistré : {status}.").format(status=label))
    if form.get("back") == "today":
        return RedirectResponse("/#rdv", status_code=303)
    back = str(form.get("date") or "")
    return RedirectResponse(f"/day?date={back}" if back else "/day", status_code=303)
