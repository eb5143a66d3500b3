"""Indicators with charts, CSV exports, the audit log, staff accounts and canned replies."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from capabilities.conversation.indicators import compute
from console.audit import audit
from console.charts import bar_chart
from console.security import MIN_PASSWORD, hash_password
from console.views_account import unlinked_senders
from console.web import checked_form, flash, gettext, ngettext, page, render, state
from core.clock import PARIS, to_paris
from core.csv_export import csv_text
from core.sms_price import sms_price
from store import repo_console
from store import sms as sms_store
from store.console_models import CannedReply
from store.db import Session
from store.errors import Conflict
from store.staff import Staff


@page()
async def indicators_page(request: Request, session: Session, staff: Staff) -> Response:
    """Eight weeks of indicators, as charts and a table."""
    console = state(request)
    table = compute(session, console.clock(), console.settings.nlu_threshold)
    labels = [week.label for week in table]
    charts = [
        bar_chart(
            gettext("Conversations par semaine"),
            labels,
            [w.conversations for w in table],
            amount=lambda v: ngettext("{n} conversation", "{n} conversations", int(v)).format(
                n=int(v)
            ),
        ),
        bar_chart(
            gettext("Taux de passage à un conseiller"),
            labels,
            [w.handoff_rate for w in table],
            "%",
        ),
        bar_chart(gettext("Messages non compris"), labels, [w.missed_rate for w in table], "%"),
        bar_chart(
            gettext("Délai médian avant la 1re réponse humaine"),
            labels,
            [w.median_wait for w in table],
            "min",
        ),
    ]
    rates = console.integrations.rates(session)
    return render(
        request,
        "indicators.html",
        {
            "staff": staff,
            "charts": charts,
            "table": table,
            "rates": rates,
            "sms": sms_week(session, console.clock()),
        },
    )


def sms_week(session: Session, now: datetime) -> dict[str, object]:
    """This ISO week's SMS (Monday 00:00 Paris to now): messages, segments, estimated cost."""
    monday = to_paris(now).date() - timedelta(days=to_paris(now).weekday())
    start = datetime.combine(monday, time(0), tzinfo=PARIS).astimezone(UTC)
    count, segments = sms_store.week_totals(session, start, now + timedelta(seconds=1))
    price = sms_price()
    return {
        "count": count,
        "segments": segments,
        "cost": f"{price.cost(segments):.2f}".replace(".", ","),
        "placeholder": price.placeholder,
    }


def _csv(name: str, header: list[str], rows: list[list[object]]) -> Response:
    return Response(
        csv_text(header, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@page(admin=True)
async def export_indicators(request: Request, session: Session, staff: Staff) -> Response:
    """The weekly indicators as CSV (admins)."""
    console = state(request)
    table = compute(session, console.clock(), console.settings.nlu_threshold)
    audit(session, staff, "export", "indicateurs.csv", console.clock(), None)
    return _csv(
        "indicateurs.csv",
        ["semaine", "conversations", "passages", "taux_passage_%", "non_compris_%", "delai_min"],
        [
            [
                w.label,
                w.conversations,
                w.handoffs,
                _num(w.handoff_rate),
                _num(w.missed_rate),
                _num(w.median_wait),
            ]
            for w in table
        ],
    )


@page(admin=True)
async def export_audit(request: Request, session: Session, staff: Staff) -> Response:
    """The audit log as CSV (admins)."""
    console = state(request)
    rows = repo_console.latest_audit(session, 10_000)
    audit(session, staff, "export", "journal.csv", console.clock(), None)
    return _csv(
        "journal.csv",
        ["date", "qui", "action", "objet"],
        [[row.at.isoformat(), row.actor, row.action, row.target] for row in rows],
    )


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


@page(admin=True)
async def audit_page(request: Request, session: Session, staff: Staff) -> Response:
    """Who viewed, answered or exported what (latest first)."""
    rows = repo_console.latest_audit(session, 300)
    return render(request, "audit.html", {"staff": staff, "rows": rows})


@page(admin=True)
async def admin_page(request: Request, session: Session, staff: Staff) -> Response:
    """Staff accounts and canned replies."""
    return render(
        request,
        "admin.html",
        {
            "staff": staff,
            "members": repo_console.members_by_name(session),
            "canned": repo_console.canned_replies(session),
            "min_password": MIN_PASSWORD,
            "senders": unlinked_senders(session),
        },
    )


@page(admin=True)
async def create_staff_action(request: Request, session: Session, staff: Staff) -> Response:
    """Create a counsellor or admin account."""
    form = await checked_form(request)
    name = str(form.get("name") or "").strip()[:80]
    email = str(form.get("email") or "").strip().lower()[:120]
    role = str(form.get("role") or "counsellor")
    password = str(form.get("password") or "")
    if not name or "@" not in email or role not in ("counsellor", "admin"):
        flash(request, gettext("Nom, adresse e-mail et rôle sont obligatoires."))
    elif len(password) < MIN_PASSWORD:
        too_short = ngettext(
            "Mot de passe trop court ({n} caractère au moins).",
            "Mot de passe trop court ({n} caractères au moins).",
            MIN_PASSWORD,
        )
        flash(request, too_short.format(n=MIN_PASSWORD))
    else:
        member = Staff(name=name, email=email, role=role, password_hash=hash_password(password))
        try:
            repo_console.add_staff(session, member)
        except Conflict:
            session.rollback()
            flash(request, gettext("Cette adresse e-mail est déjà utilisée."))
            return RedirectResponse("/admin", status_code=303)
        audit(session, staff, "staff", f"création {email}", state(request).clock(), None)
        flash(request, gettext("Compte créé pour {name}.").format(name=name))
    return RedirectResponse("/admin", status_code=303)


@page(admin=True)
async def canned_action(request: Request, session: Session, staff: Staff) -> Response:
    """Add or replace a canned reply."""
    form = await checked_form(request)
    name = str(form.get("name") or "").strip().lower()[:40]
    text = str(form.get("text") or "").strip()[:4000]
    if not name or not text:
        flash(request, gettext("Nom et texte sont obligatoires."))
        return RedirectResponse("/admin", status_code=303)
    existing = repo_console.canned_named(session, name)
    if existing is not None:
        existing.text = text
    else:
        session.add(CannedReply(name=name, text=text, created_at=state(request).clock()))
    flash(request, gettext("Réponse type « {name} » enregistrée.").format(name=name))
    return RedirectResponse("/admin", status_code=303)
