"""SMS in the console: the warning when a number stopped receiving SMS, « Reprendre les SMS »,
changing a participant's mobile number, and ending the SMS pause early.

A hard bounce (Brevo: ``hard_bounce``, ``blacklisted``, ``blocked``, ``invalid_number``)
marks the person's SMS account unreachable; the participant page and the conversation page
then show a warning and a button that clears the flag (CSRF-checked and audited like every
console action). The participant page also changes the number: checked by
``core.phone.french_mobile`` (a kind French error and nothing changed on a bad number),
audited, and the new number is reachable again. While Brevo has no credits, every page's
banner offers admins « Reprendre les SMS maintenant » (credits bought): CSRF-checked,
audited (``sms_pause_end``), the rows that waited go at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from console.audit import audit
from console.web import checked_form, flash, gettext, page, state
from core.clock import to_paris
from core.phone import InvalidNumber, french_mobile, masked
from store import channel_pauses, repo_sms_accounts
from store.db import Session
from store.staff import Staff


@dataclass(frozen=True)
class SmsStatus:
    """What a page shows about a person's SMS."""

    number: str  # masked
    stopped_at: datetime | None
    reason: str | None


def sms_status(session: Session, person_id: int | None) -> SmsStatus | None:
    """The person's SMS account as pages show it (None: not followed by SMS)."""
    if person_id is None:
        return None
    account = repo_sms_accounts.sms_account(session, person_id)
    if account is None:
        return None
    return SmsStatus(
        masked(account.external_ref), account.unreachable_at, account.unreachable_reason
    )


def change_number(
    request: Request, session: Session, staff: Staff, person_id: int, number: str, what: str
) -> None:
    """The new number (already checked), audited; the SMS account is reachable again."""
    old = repo_sms_accounts.change_number(session, person_id, number)
    detail = f"{what} : {masked(old) if old else '-'} -> {masked(number)}"
    audit(session, staff, "sms_number", detail, state(request).clock(), person_id)
    message = gettext("Numéro de portable changé : les SMS iront au {number}.")
    flash(request, message.format(number=masked(number)))


def resume(request: Request, session: Session, staff: Staff, person_id: int, what: str) -> None:
    """Clear the flag, audit, say so."""
    console = state(request)
    if repo_sms_accounts.resume(session, person_id):
        audit(session, staff, "sms_resume", what, console.clock(), person_id)
        flash(request, gettext("Les SMS reprennent pour cette personne."))
    else:
        flash(request, gettext("Les SMS n'étaient pas arrêtés pour cette personne."))


def number_error(session: Session, person_id: int, raw: str) -> tuple[str | None, str]:
    """(What is wrong in plain French or None, the number as E.164)."""
    if not raw.strip():
        return gettext("Indiquez le nouveau numéro de portable."), ""
    try:
        number = french_mobile(raw)
    except InvalidNumber as refused:
        problem = gettext(str(refused))
        return gettext("Numéro de portable : {problem}").format(problem=problem), ""
    if repo_sms_accounts.taken_by_other(session, number, person_id):
        return gettext("Ce numéro est déjà celui d'une autre personne suivie."), ""
    return None, number


@page(admin=True)
async def end_pause_action(request: Request, session: Session, staff: Staff) -> Response:
    """« Reprendre les SMS maintenant » in the banner (admins: credits were bought)."""
    form = await checked_form(request)
    console = state(request)
    now = console.clock()
    until = channel_pauses.end_early(session, "sms", now)
    if until is None:
        flash(request, gettext("Les SMS n'étaient pas en pause."))
    else:
        ended = to_paris(until).strftime("%H:%M")
        audit(session, staff, "sms_pause_end", f"pause SMS jusqu'à {ended} levée", now, None)
        flash(request, gettext("Les SMS reprennent maintenant."))
        if console.kick is not None:
            session.commit()  # the dispatcher sees it when it wakes
            console.kick()
    back = str(form.get("next") or "/")
    safe = back.startswith("/") and not back.startswith("//") and "\\" not in back
    return RedirectResponse(back if safe else "/", status_code=303)
