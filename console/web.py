"""Request plumbing shared by the console's pages: state, sign-in, CSRF, rendering."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from console import sessions as auth_sessions
from console.integrations import Integrations, NoIntegrations
from console.security import csrf_matches, new_csrf_token
from core.clock import Clock, to_paris, utcnow
from core.i18n import staff_gettext, staff_locale, staff_ngettext, text_direction
from core.settings import Settings
from store import channel_pauses
from store.db import Session, SessionFactory
from store.staff import Staff

log = logging.getLogger(__name__)
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
SESSION_HOURS = auth_sessions.SESSION_HOURS

# After a counsellor's reply is in the outbox: wake the dispatcher; mirror in the staff topic.
Kick = Callable[[], None]
Mirror = Callable[[int, str], Awaitable[None]]


def _paris(moment: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    return to_paris(moment).strftime(fmt) if moment else ""


def gettext(message: str) -> str:
    """The console's interface strings (French source) in ``STAFF_LANGUAGE``."""
    return staff_gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The console's strings with a number: the plural form ``STAFF_LANGUAGE`` needs."""
    return staff_ngettext(singular, plural, n)


def page_language() -> dict[str, str]:
    """``<html lang dir>`` of every page: the staff's language (``rtl`` for Arabic)."""
    locale = staff_locale()
    return {"lang": locale, "dir": text_direction(locale)}


TEMPLATES.env.filters["paris"] = _paris


def _template_gettext(message: str) -> Markup:
    """In templates, a translation is trusted text (like Jinja's i18n extension): its
    ``.format(...)`` arguments are escaped, its apostrophes are not."""
    return Markup(gettext(message))


def _template_ngettext(singular: str, plural: str, n: int) -> Markup:
    return Markup(ngettext(singular, plural, n))


def _bdi(value: object) -> Markup:
    """A name inside a translated sentence, isolated (an Arabic sentence around a Latin name
    keeps its order)."""
    return Markup("<bdi>{}</bdi>").format(value)


TEMPLATES.env.filters["bdi"] = _bdi
TEMPLATES.env.globals["_"] = _template_gettext
TEMPLATES.env.globals["ngettext"] = _template_ngettext
TEMPLATES.env.globals["page_language"] = page_language


@dataclass
class ConsoleState:
    """What every page needs, built once by :func:`console.app.create_app`."""

    sessions: SessionFactory
    settings: Settings
    clock: Clock = utcnow
    integrations: Integrations = field(default_factory=NoIntegrations)
    kick: Kick | None = None
    mirror: Mirror | None = None
    # No channel can deliver a counsellor's reply (no Telegram token): the console says so.
    # None: decided from the settings; tests serving a fake Telegram set False.
    local_mode: bool | None = None

    def delivers(self, channels: Collection[str] = ("telegram",)) -> bool:
        """Can a reply written here reach a person reachable on ``channels``? The web chat is
        served by every ``python -m bot``; Telegram needs its token; the local chat never."""
        if self.local_mode is not None:
            return not self.local_mode
        return "web" in channels or (
            "telegram" in channels and bool(self.settings.telegram_bot_token)
        )


def state(request: Request) -> ConsoleState:
    """The console's state from the application."""
    value = request.app.state.console
    assert isinstance(value, ConsoleState)
    return value


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = new_csrf_token()
        request.session["csrf"] = token
    return str(token)


async def checked_form(request: Request) -> FormData:
    """The posted form, refused (403) unless it carries the session's CSRF token."""
    form = await request.form()
    given = form.get("csrf")
    if not csrf_matches(request.session.get("csrf"), given if isinstance(given, str) else None):
        raise HTTPException(403, gettext("Formulaire expiré ou invalide : rechargez la page."))
    return form


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    """Render a template with the common context (staff, CSRF token, flash message)."""
    context = {
        "csrf": csrf_token(request),
        "flash": request.session.pop("flash", None),
        "sms_pause": sms_pause_banner(state(request)),
        **context,
    }
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status_code)


def sms_pause_banner(console: ConsoleState) -> str | None:
    """« Les SMS sont en pause… » while Brevo has no credits (``channel_pauses``, shared by
    every replica), with the Paris time it ends; None otherwise (or if it cannot be read)."""
    try:
        with console.sessions() as session:
            until = channel_pauses.active(session, console.clock()).get("sms")
    except Exception:  # the page still shows; the database check tells the rest
        log.warning("could not read the channel pauses", exc_info=True)
        return None
    if until is None:
        return None
    message = gettext("Les SMS sont en pause : plus de crédit chez Brevo. Reprise prévue à {time}.")
    return message.format(time=to_paris(until).strftime("%H:%M"))


def flash(request: Request, message: str) -> None:
    """A one-line message shown on the next page."""
    request.session["flash"] = message


def signed_in(request: Request, session: Session) -> Staff | None:
    """The member of staff of this browser's server-side session, if live and still active."""
    row = auth_sessions.current(request.session, session, state(request).clock())
    if row is None:
        return None
    staff = session.get(Staff, row.staff_id)
    if staff is None or not staff.active:
        request.session.clear()
        return None
    return staff


Endpoint = Callable[[Request, Session, Staff], Awaitable[Response]]


def page(*, admin: bool = False) -> Callable[[Endpoint], Callable[[Request], Awaitable[Response]]]:
    """Wrap an endpoint: one DB session, sign-in required, role checked, commit at the end."""

    def wrap(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(endpoint)
        async def run(request: Request) -> Response:
            with state(request).sessions() as session:
                staff = signed_in(request, session)
                if staff is None:
                    session.commit()  # an expired session is marked so
                    return RedirectResponse("/login", status_code=303)
                if admin and staff.role != "admin":
                    raise HTTPException(403, gettext("Réservé aux administrateurs."))
                response = await endpoint(request, session, staff)
                session.commit()
                return response

        return run

    return wrap


def person_id_of(request: Request) -> int:
    """The ``{person_id}`` of the URL."""
    value = request.path_params.get("person_id")
    if not isinstance(value, int):
        raise HTTPException(404, gettext("Personne inconnue."))
    return value
