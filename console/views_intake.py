"""« Faire le point » in the console: the intake summary, its corrections, the indicators."""

from __future__ import annotations

from functools import cache

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from capabilities.handoff.queue import can_open
from capabilities.information.catalog import Catalog, load_catalog
from capabilities.plan import intake as summary
from capabilities.plan.questions import BY_KEY
from console.audit import audit
from console.charts import bar_chart
from console.web import checked_form, flash, gettext, ngettext, page, person_id_of, render, state
from store.db import Session
from store.models import Person
from store.staff import Staff


@cache
def catalog() -> Catalog:
    """The content cards (titles of the steps), loaded once."""
    return load_catalog()


def intake_of(session: Session, person_id: int) -> summary.Intake | None:
    """The person's intake summary for the conversation page."""
    return summary.intake(session, person_id, catalog())


def intakes_of(session: Session, person_ids: list[int]) -> dict[int, summary.Intake]:
    """The summaries of the day view's people."""
    return summary.intakes(session, person_ids, catalog())


def choices() -> dict[str, tuple[tuple[str, str], ...]]:
    """The answers a counsellor may set, per question (the template's <select>)."""
    return {key: BY_KEY[key].options for key in summary.CORRECTABLE}


@page()
async def correct_action(request: Request, session: Session, staff: Staff) -> Response:
    """Correct one answer of the intake, or write the intake's note; both stay visible."""
    form = await checked_form(request)
    person_id = person_id_of(request)
    console = state(request)
    if session.get(Person, person_id) is None:
        raise HTTPException(404, gettext("Cette personne n'existe pas (ou a effacé ses données)."))
    if not can_open(session, console.integrations.owner_of, staff, person_id):
        raise HTTPException(403, gettext("Cette personne est suivie par un autre conseiller."))
    now = console.clock()
    key = str(form.get("answer") or "")
    if key == "comment":
        text = str(form.get("comment") or "").strip()[:500] or None
        if not summary.set_comment(session, person_id, text):
            raise HTTPException(404, gettext("Cette personne n'a pas fait le point."))
        flash(request, gettext("Note du point enregistrée."))
    else:
        value = str(form.get("value") or "")
        if not summary.correct(session, person_id, key, value, by=staff.name, now=now):
            raise HTTPException(400, gettext("Réponse ou valeur inconnue."))
        flash(request, gettext("Correction enregistrée. La réponse de la personne reste visible."))
    audit(session, staff, "intake", f"point {person_id} {key}", now, person_id)
    return RedirectResponse(f"/conversations/{person_id}#point", status_code=303)


def _steps(value: float) -> str:
    return ngettext("{n} étape", "{n} étapes", int(value)).format(n=int(value))


@page()
async def plans_page(request: Request, session: Session, staff: Staff) -> Response:
    """Eight weeks of « Faire le point »: plans made, steps proposed and taken."""
    table = summary.weeks(session, state(request).clock(), catalog())
    labels = [week.label for week in table]
    charts = [
        bar_chart(
            gettext("Plans faits par semaine"),
            labels,
            [w.made for w in table],
            amount=lambda v: ngettext("{n} plan", "{n} plans", int(v)).format(n=int(v)),
        ),
        bar_chart(
            gettext("Étapes proposées"),
            labels,
            [w.proposed for w in table],
            amount=_steps,
        ),
        bar_chart(
            gettext("Étapes suivies (fiche ouverte, rendez-vous commencé)"),
            labels,
            [w.taken for w in table],
            amount=_steps,
        ),
    ]
    return render(request, "plans.html", {"staff": staff, "charts": charts, "table": table})
