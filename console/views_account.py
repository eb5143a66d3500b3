"""Linking console accounts to Telegram users (so staff-group replies carry a real name).

Any member of staff: "Mon compte" shows the link and makes a one-time code to type as
``/lier <code>`` in the staff group. Admins: set or clear anyone's Telegram user id, e.g.
from the "not linked" senders the group has seen.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from capabilities.handoff.staff_identity import (
    CODE_LIFETIME,
    label_of,
    link,
    new_link_code,
    sender_label,
)
from console.audit import audit
from console.security import MIN_PASSWORD
from console.views_sessions import session_rows
from console.web import checked_form, flash, gettext, page, render, state
from store import repo_console
from store.db import Session
from store.staff import Staff

MAX_TELEGRAM_ID = 10**15


@page()
async def account_page(request: Request, session: Session, staff: Staff) -> Response:
    """The member's own account: Telegram link, one-time code."""
    code = request.session.pop("link_code", None)
    linked = (
        label_of(session, f"telegram:{staff.telegram_user_id}") if staff.telegram_user_id else None
    )
    return render(
        request,
        "account.html",
        {
            "staff": staff,
            "linked": linked,
            "code": code if isinstance(code, str) else None,
            "minutes": int(CODE_LIFETIME.total_seconds() // 60),
            "sessions": session_rows(request, session, staff, state(request).clock()),
            "min_password": MIN_PASSWORD,
        },
    )


@page()
async def link_code_action(request: Request, session: Session, staff: Staff) -> Response:
    """A new one-time code for ``/lier`` (shown once, on the next page)."""
    await checked_form(request)
    now = state(request).clock()
    request.session["link_code"] = new_link_code(session, staff.id, now)
    audit(session, staff, "telegram", "code de liaison créé", now, None)
    return RedirectResponse("/account", status_code=303)


@page()
async def unlink_action(request: Request, session: Session, staff: Staff) -> Response:
    """Unlink one's own Telegram account."""
    await checked_form(request)
    if staff.telegram_user_id is not None:
        audit(
            session,
            staff,
            "telegram",
            f"déliaison {staff.telegram_user_id}",
            state(request).clock(),
            None,
        )
        link(session, staff, None)
        flash(request, gettext("Compte Telegram délié."))
    return RedirectResponse("/account", status_code=303)


def unlinked_senders(session: Session) -> list[tuple[int, str]]:
    """Senders of the staff group that no account is linked to, latest first."""
    linked = repo_console.linked_telegram_ids(session)
    return [
        (row.user_id, sender_label(row.first_name, row.username, row.user_id))
        for row in repo_console.senders_latest_first(session)
        if row.user_id not in linked
    ]


@page(admin=True)
async def admin_telegram_action(request: Request, session: Session, staff: Staff) -> Response:
    """Set (or clear, when empty) a member's Telegram user id."""
    form = await checked_form(request)
    member_id = request.path_params.get("staff_id")
    member = session.get(Staff, member_id) if isinstance(member_id, int) else None
    if member is None:
        raise HTTPException(404, gettext("Compte inconnu."))
    raw = str(form.get("telegram_user_id") or "").strip()
    if raw and (not raw.isdigit() or not 0 < int(raw) < MAX_TELEGRAM_ID):
        flash(request, gettext("Identifiant Telegram invalide : un nombre (ex. 412345678)."))
        return RedirectResponse("/admin", status_code=303)
    user_id = int(raw) if raw else None
    holder = (
        repo_console.telegram_holder(session, user_id, member.id) if user_id is not None else None
    )
    if holder is not None:
        flash(
            request,
            gettext("Ce compte Telegram est déjà relié à {name} : délier d'abord.").format(
                name=holder.name
            ),
        )
        return RedirectResponse("/admin", status_code=303)
    link(session, member, user_id)
    now = state(request).clock()
    target = (
        f"{member.email or member.name} ← Telegram {user_id}"
        if user_id
        else f"{member.email or member.name} délié"
    )
    audit(session, staff, "telegram", target, now, None)
    flash(
        request,
        gettext("{name} : compte Telegram relié.").format(name=member.name)
        if user_id
        else gettext("{name} : compte Telegram délié.").format(name=member.name),
    )
    return RedirectResponse("/admin", status_code=303)
