"""The counsellor's landing page, "Aujourd'hui": who needs them first, then what to do today.

People in distress first (highlighted at the top of the queue), then the conversations
waiting (oldest first, with their waiting time), the programme's open tasks and alerts due
by tonight, and today's appointments with one-click attendance. Each line links to its action.
"""

from __future__ import annotations

from datetime import datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from capabilities.handoff import queue as handoff_queue
from capabilities.handoff.staff_context import reason_labels
from console.audit import audit
from console.integrations import ATTENDANCE
from console.views_handoff import state_labels
from console.web import TEMPLATES, checked_form, flash, gettext, page, render, state
from core.clock import to_paris
from core.i18n import format_day, staff_locale
from store import repo_console
from store.db import Session
from store.staff import Staff


def waited(now: datetime, since: datetime | None) -> str:
    """A waiting time a counsellor reads at a glance: "12 min", "3 h 05", "2 j 4 h"."""
    if since is None:
        return "—"
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return gettext("{n} min").format(n=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return gettext("{hours} h {minutes}").format(hours=hours, minutes=f"{minutes:02d}")
    days, hours = divmod(hours, 24)
    return gettext("{days} j {hours} h").format(days=days, hours=hours)


TEMPLATES.env.globals["waited"] = waited


def queue_context(request: Request, session: Session, staff: Staff) -> dict[str, object]:
    """What the queue table needs (shared by the day page and the queue page)."""
    console = state(request)
    rows = handoff_queue.queue(
        session, console.integrations.owner_of, staff_id=None if staff.role == "admin" else staff.id
    )
    return {
        "staff": staff,
        "rows": rows,
        "now": console.clock(),
        "reasons": reason_labels(),
        "states": state_labels(),
        "counsellors": repo_console.active_members(session),
    }


@page()
async def today_page(request: Request, session: Session, staff: Staff) -> Response:
    """Distress, the queue, the programme's tasks and today's appointments."""
    console = state(request)
    now = console.clock()
    context = queue_context(request, session, staff)
    rows = context["rows"]
    mine = None if staff.role == "admin" else staff.id
    context.update(
        today_label=format_day(now, staff_locale()),
        urgent=sum(1 for row in rows if row.urgent) if isinstance(rows, list) else 0,
        tasks=console.integrations.tasks(session, mine),
        appointments=console.integrations.day(session, to_paris(now).date()),
        attendance=ATTENDANCE,
    )
    return render(request, "today.html", context)


@page()
async def queue_page(request: Request, session: Session, staff: Staff) -> Response:
    """Who waits for a human: distress first, then oldest first."""
    return render(request, "queue.html", queue_context(request, session, staff))


@page()
async def task_done_action(request: Request, session: Session, staff: Staff) -> Response:
    """Mark a programme task done (a counsellor's own; an admin any)."""
    await checked_form(request)
    task_id = request.path_params.get("task_id")
    if not isinstance(task_id, int):
        raise HTTPException(404, gettext("Tâche inconnue."))
    console = state(request)
    who = None if staff.role == "admin" else staff.id
    if not console.integrations.task_done(session, task_id, who):
        raise HTTPException(
            404, gettext("Cette tâche n'existe pas, est déjà faite ou suit un autre conseiller.")
        )
    audit(session, staff, "task_done", f"tâche {task_id}", console.clock(), None)
    flash(request, gettext("Tâche marquée comme faite."))
    return RedirectResponse("/#taches", status_code=303)
