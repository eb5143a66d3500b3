"""The counsellors' web console: a Starlette application with server-rendered pages.

Sessions live on the server (:mod:`console.sessions`); the signed cookie (``SameSite=Lax``,
``HttpOnly``, ``Secure`` when ``https_only``) holds their opaque token, the CSRF token and
the flash message. Every form carries a CSRF token.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from console import (
    views_account,
    views_admin,
    views_agenda,
    views_auth,
    views_contacts,
    views_handoff,
    views_intake,
    views_media,
    views_periods,
    views_programme,
    views_sessions,
    views_sms,
    views_today,
)
from console.addresses import ForwardedFor
from console.web import SESSION_HOURS, ConsoleState, gettext, render
from core.i18n import set_staff_locale

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"

HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; "
        b"frame-ancestors 'none'",
    ),
    (b"cache-control", b"no-store"),
]


class SecurityHeaders:
    """Headers that keep the console out of frames and caches."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


async def http_error(request: Request, exc: Exception) -> Response:
    """Errors as a plain French page (never a traceback)."""
    assert isinstance(exc, HTTPException)
    return render(
        request,
        "error.html",
        {"status": exc.status_code, "detail": exc.detail, "staff": None},
        status_code=exc.status_code,
    )


async def server_error(request: Request, exc: Exception) -> Response:
    """Unexpected failure: logged, and a kind page."""
    log.error("console error on %s", request.url.path, exc_info=exc)
    response = Response(
        gettext("Erreur interne : l'action n'a pas été enregistrée. Réessayez."),
        status_code=500,
        media_type="text/plain; charset=utf-8",
    )
    # Starlette answers a crash outside the middlewares: the headers are set here too.
    for name, value in HEADERS:
        response.headers[name.decode()] = value.decode()
    return response


A = views_agenda
P = views_periods
AGENDA_ROUTES = [
    Route("/admin/agenda", A.agenda_page, methods=["GET"]),
    Route("/admin/espaces/new", A.espace_form, methods=["GET"]),
    Route("/admin/espaces/new", A.espace_save, methods=["POST"]),
    Route("/admin/espaces/{espace_id}/edit", A.espace_form, methods=["GET"]),
    Route("/admin/espaces/{espace_id}/edit", A.espace_save, methods=["POST"]),
    Route("/admin/motifs/new", A.motif_form, methods=["GET"]),
    Route("/admin/motifs/new", A.motif_save, methods=["POST"]),
    Route("/admin/motifs/{motif_id}/edit", A.motif_form, methods=["GET"]),
    Route("/admin/motifs/{motif_id}/edit", A.motif_save, methods=["POST"]),
    Route("/admin/periods/new", P.period_form, methods=["GET"]),
    Route("/admin/periods/new", P.period_save, methods=["POST"]),
    Route("/admin/periods/{period_id:int}/edit", P.period_form, methods=["GET"]),
    Route("/admin/periods/{period_id:int}/edit", P.period_save, methods=["POST"]),
    Route("/admin/periods/{period_id:int}/remove", P.period_remove, methods=["POST"]),
    Route("/admin/closures/new", P.closure_form, methods=["GET"]),
    Route("/admin/closures/new", P.closure_save, methods=["POST"]),
    Route("/admin/closures/{closure_id:int}/remove", P.closure_remove, methods=["POST"]),
]

ROUTES = [
    Route("/login", views_auth.login_page, methods=["GET"]),
    Route("/login", views_auth.login, methods=["POST"]),
    Route("/logout", views_auth.logout, methods=["POST"]),
    Route("/", views_today.today_page, methods=["GET"]),
    Route("/queue", views_today.queue_page, methods=["GET"]),
    Route("/tasks/{task_id:int}/done", views_today.task_done_action, methods=["POST"]),
    Route("/queue/assign", views_handoff.assign_action, methods=["POST"]),
    Route("/conversations/{person_id:int}", views_handoff.conversation_page, methods=["GET"]),
    Route("/conversations/{person_id:int}/take", views_handoff.take_action, methods=["POST"]),
    Route(
        "/conversations/{person_id:int}/media/{media_id:int}",
        views_media.media_file,
        methods=["GET"],
    ),
    Route("/conversations/{person_id:int}/reply", views_handoff.reply_action, methods=["POST"]),
    Route("/conversations/{person_id:int}/note", views_handoff.note_action, methods=["POST"]),
    Route(
        "/conversations/{person_id:int}/sms/resume",
        views_handoff.sms_resume_action,
        methods=["POST"],
    ),
    Route(
        "/participants/{participant_id:int}/sms/resume",
        views_contacts.sms_resume_action,
        methods=["POST"],
    ),
    Route(
        "/participants/{participant_id:int}/sms/number",
        views_contacts.sms_number_action,
        methods=["POST"],
    ),
    Route("/sms/pause/end", views_sms.end_pause_action, methods=["POST"]),
    Route("/conversations/{person_id:int}/resolve", views_handoff.resolve_action, methods=["POST"]),
    Route("/conversations/{person_id:int}/assign", views_handoff.assign_action, methods=["POST"]),
    Route("/caseload", views_programme.caseload_page, methods=["GET"]),
    Route("/caseload/enrol", views_programme.enrol_action, methods=["POST"]),
    Route("/participants/{participant_id:int}", views_contacts.participant_page, methods=["GET"]),
    Route(
        "/participants/{participant_id:int}/contacts",
        views_contacts.contact_action,
        methods=["POST"],
    ),
    Route("/day", views_programme.day_page, methods=["GET"]),
    Route(
        "/appointments/{appointment_id:int}/attendance",
        views_programme.attendance_action,
        methods=["POST"],
    ),
    Route("/indicators", views_admin.indicators_page, methods=["GET"]),
    Route("/indicators/plans", views_intake.plans_page, methods=["GET"]),
    Route("/conversations/{person_id:int}/intake", views_intake.correct_action, methods=["POST"]),
    Route("/exports/indicateurs.csv", views_admin.export_indicators, methods=["GET"]),
    Route("/exports/journal.csv", views_admin.export_audit, methods=["GET"]),
    Route("/audit", views_admin.audit_page, methods=["GET"]),
    Route("/admin", views_admin.admin_page, methods=["GET"]),
    Route("/admin/staff", views_admin.create_staff_action, methods=["POST"]),
    Route("/admin/canned", views_admin.canned_action, methods=["POST"]),
    Route(
        "/admin/staff/{staff_id:int}/telegram",
        views_account.admin_telegram_action,
        methods=["POST"],
    ),
    Route("/account", views_account.account_page, methods=["GET"]),
    Route("/account/telegram/code", views_account.link_code_action, methods=["POST"]),
    Route("/account/telegram/unlink", views_account.unlink_action, methods=["POST"]),
    Route("/account/password", views_sessions.password_action, methods=["POST"]),
    Route("/account/sessions/end", views_sessions.end_session_action, methods=["POST"]),
    Route(
        "/admin/staff/{staff_id:int}/sessions/end",
        views_sessions.end_all_action,
        methods=["POST"],
    ),
    *AGENDA_ROUTES,
    Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
]


def create_app(
    console: ConsoleState, *, https_only: bool = False, extra_routes: Sequence[BaseRoute] = ()
) -> Starlette:
    """The console application; ``https_only`` marks the cookie ``Secure`` (behind HTTPS).
    ``extra_routes`` are other adapters served by the same server (the web chat's ``/chat``)."""
    set_staff_locale(console.settings.staff_language)
    secret = console.settings.console_secret_key
    if not secret:
        log.warning(
            "CONSOLE_SECRET_KEY absent : clé de session aléatoire (sessions perdues au redémarrage)"
        )
        secret = secrets.token_urlsafe(32)
    app = Starlette(
        routes=[*extra_routes, *ROUTES],
        middleware=[
            Middleware(ForwardedFor, trusted=console.settings.forwarded_allow_ips),
            Middleware(SecurityHeaders),
            Middleware(
                SessionMiddleware,
                secret_key=secret,
                session_cookie="console_session",
                max_age=SESSION_HOURS * 3600,
                same_site="lax",
                https_only=https_only,
            ),
        ],
        exception_handlers={HTTPException: http_error, Exception: server_error},
    )
    app.state.console = console
    return app
