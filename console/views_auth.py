"""Sign in and out: Argon2 passwords, throttled after five wrong attempts."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from console.audit import audit
from console.security import is_throttled, record_attempt, verify_password
from console.web import checked_form, render, state
from store import repo_console


async def login_page(request: Request) -> Response:
    """The sign-in form."""
    return render(request, "login.html", {"email": ""})


async def login(request: Request) -> Response:
    """Check the password; five wrong ones in 15 minutes throttle the account."""
    form = await checked_form(request)
    email = str(form.get("email") or "").strip().lower()[:120]
    password = str(form.get("password") or "")
    console = state(request)
    now = console.clock()
    ip = request.client.host if request.client else ""
    with console.sessions() as session:
        if is_throttled(session, email, now):
            record_attempt(session, email, ip, False, now)
            session.commit()
            return render(
                request,
                "login.html",
                {
                    "email": email,
                    "error": "Trop de tentatives. Par sécurité, réessayez dans 15 minutes.",
                },
                status_code=429,
            )
        staff = repo_console.staff_by_email(session, email)
        ok = verify_password(staff.password_hash if staff else None, password) and bool(
            staff and staff.active
        )
        record_attempt(session, email, ip, ok, now)
        if not ok or staff is None:
            session.commit()
            return render(
                request,
                "login.html",
                {"email": email, "error": "Adresse ou mot de passe incorrect."},
                status_code=401,
            )
        audit(session, staff, "login", "", now, None)
        session.commit()
        request.session.clear()
        request.session["staff_id"] = staff.id
        request.session["since"] = now.timestamp()
    return RedirectResponse("/", status_code=303)


async def logout(request: Request) -> Response:
    """Forget the browser session."""
    await checked_form(request)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
