"""Sign in and out: Argon2 passwords, a throttle that cannot lock anyone out, server sessions."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from console import sessions as auth_sessions
from console import throttle
from console.audit import audit
from console.security import verify_password
from console.web import checked_form, gettext, ngettext, render, state
from store import repo_console


def client_ip(request: Request) -> str:
    """The client's address (from a trusted proxy's ``X-Forwarded-For``: :mod:`.addresses`)."""
    return request.client.host if request.client else ""


async def login_page(request: Request) -> Response:
    """The sign-in form."""
    return render(request, "login.html", {"email": ""})


async def login(request: Request) -> Response:
    """Check the password, unless the throttle says wait (see :mod:`console.throttle`)."""
    form = await checked_form(request)
    email = str(form.get("email") or "").strip().lower()[:120]
    password = str(form.get("password") or "")
    console = state(request)
    now = console.clock()
    ip = client_ip(request)
    with console.sessions() as session:
        verdict = throttle.check(session, email, ip, now)
        if not verdict.allowed:
            throttle.record_throttled(session, email, ip, now)
            session.commit()
            response = render(
                request,
                "login.html",
                {
                    "email": email,
                    "error": ngettext(
                        "Trop de tentatives. Par sécurité, réessayez dans {n} minute.",
                        "Trop de tentatives. Par sécurité, réessayez dans {n} minutes.",
                        verdict.minutes,
                    ).format(n=verdict.minutes),
                },
                status_code=429,
            )
            response.headers["Retry-After"] = str(verdict.minutes * 60)
            return response
        staff = repo_console.staff_by_email(session, email)
        ok = verify_password(staff.password_hash if staff else None, password) and bool(
            staff and staff.active
        )
        throttle.record(session, email, ip, now, ok=ok)
        if not ok or staff is None:
            session.commit()
            return render(
                request,
                "login.html",
                {"email": email, "error": gettext("Adresse ou mot de passe incorrect.")},
                status_code=401,
            )
        agent = request.headers.get("user-agent", "")
        auth_sessions.start(request.session, session, staff, now, ip, agent)
        audit(session, staff, "login", "", now, None)
        session.commit()
    return RedirectResponse("/", status_code=303)


async def logout(request: Request) -> Response:
    """End this browser's session on the server, and forget the cookie."""
    await checked_form(request)
    console = state(request)
    with console.sessions() as session:
        row = auth_sessions.current(request.session, session, console.clock())
        if row is not None:
            auth_sessions.end(request.session, session, row.staff_id, console.clock())
        session.commit()
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
