"""Sessions and password on "Mon compte"; an admin ends all sessions of an account.

Changing one's password ends every other session of the account (a stolen cookie dies
with the old password); an admin's "end all sessions" signs the member out everywhere,
e.g. after a lost laptop.
"""

from __future__ import annotations

from datetime import datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from console import sessions as auth_sessions
from console.audit import audit
from console.security import MIN_PASSWORD, hash_password, verify_password
from console.web import checked_form, flash, gettext, ngettext, page, state
from store import repo_console_login
from store.console_sessions import ConsoleSession
from store.db import Session
from store.staff import Staff


def session_rows(
    request: Request, session: Session, staff: Staff, now: datetime
) -> list[tuple[ConsoleSession, bool]]:
    """The member's open sessions, and which one is this browser."""
    mine = auth_sessions.key_of(request.session)
    rows = auth_sessions.open_sessions(session, staff.id, now)
    return [(row, row.id == mine) for row in rows]


@page()
async def end_session_action(request: Request, session: Session, staff: Staff) -> Response:
    """End one of one's own sessions (another browser, a forgotten computer)."""
    form = await checked_form(request)
    now = state(request).clock()
    target = str(form.get("session") or "")
    mine = auth_sessions.key_of(request.session)
    if (
        target
        and target != mine
        and repo_console_login.revoke(session, staff.id, now, "ended", only=target)
    ):
        audit(session, staff, "session", "session terminée", now, None)
        flash(request, gettext("Session terminée."))
    return RedirectResponse("/account", status_code=303)


@page()
async def password_action(request: Request, session: Session, staff: Staff) -> Response:
    """Change one's password: the current one first; every other session ends."""
    form = await checked_form(request)
    current = str(form.get("current") or "")
    new = str(form.get("new") or "")
    again = str(form.get("again") or "")
    if not verify_password(staff.password_hash, current):
        flash(request, gettext("Mot de passe actuel incorrect. Rien n'a été modifié."))
    elif len(new) < MIN_PASSWORD:
        flash(
            request,
            ngettext(
                "Le nouveau mot de passe doit faire au moins {n} caractère.",
                "Le nouveau mot de passe doit faire au moins {n} caractères.",
                MIN_PASSWORD,
            ).format(n=MIN_PASSWORD),
        )
    elif new != again:
        flash(request, gettext("Les deux nouveaux mots de passe sont différents."))
    else:
        now = state(request).clock()
        staff.password_hash = hash_password(new)
        keep = auth_sessions.key_of(request.session)
        ended = repo_console_login.revoke(session, staff.id, now, "password", keep=keep)
        audit(
            session,
            staff,
            "password",
            ngettext(
                "mot de passe changé, {n} session fermée",
                "mot de passe changé, {n} sessions fermées",
                ended,
            ).format(n=ended),
            now,
            None,
        )
        flash(request, gettext("Mot de passe changé. Vos autres sessions sont fermées."))
    return RedirectResponse("/account", status_code=303)


@page(admin=True)
async def end_all_action(request: Request, session: Session, staff: Staff) -> Response:
    """Admins: sign a member out of every browser."""
    await checked_form(request)
    member_id = request.path_params.get("staff_id")
    member = session.get(Staff, member_id) if isinstance(member_id, int) else None
    if member is None:
        raise HTTPException(404, gettext("Compte inconnu."))
    now = state(request).clock()
    ended = repo_console_login.revoke(session, member.id, now, "admin")
    audit(
        session,
        staff,
        "session",
        ngettext("{who} : {n} fermée", "{who} : {n} fermées", ended).format(
            who=member.email or member.name, n=ended
        ),
        now,
        None,
    )
    flash(
        request,
        gettext("{name} : toutes les sessions sont fermées.").format(name=member.name),
    )
    return RedirectResponse("/admin", status_code=303)
