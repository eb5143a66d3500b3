"""``/healthz``, ``/readyz`` and ``/metrics`` on the application's HTTP server.

- ``/healthz``: the process answers (no check of anything else): 200 ``{"status": "ok"}``.
- ``/readyz``: :mod:`app.health`'s checks; 200 when ready (``ok`` or ``degraded``), 503 when
  a check is ``down``. No authentication: it names no secret and no person.
- ``/metrics``: Prometheus text format, with ``Authorization: Bearer $METRICS_TOKEN``; 404
  while ``METRICS_TOKEN`` is not set (nothing is exposed by default).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from app.context import AppContext
from app.health import LEVELS, Check, Readiness, body, readiness
from core.metrics import CONTENT_TYPE, exposition
from store import channel_pauses
from store.db import SessionFactory
from store.repo_metrics import Figures, read_figures

log = logging.getLogger(__name__)


class DatabaseGauges(Collector):
    """Gauges read from the database at scrape time (the same on every replica)."""

    def __init__(self, sessions: SessionFactory, clock: Callable[[], datetime]) -> None:
        self.sessions = sessions
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        now = self.clock()
        up = GaugeMetricFamily(
            "assistant_metrics_database_up", "1 when the gauges below could be read"
        )
        try:
            with self.sessions() as session:
                figures = read_figures(session, now)
        except Exception as exc:  # the scrape still answers: the operator sees up = 0
            log.warning("metrics: database figures unavailable (%s)", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from gauges(figures, now)


def gauges(figures: Figures, now: datetime) -> Iterator[Metric]:
    """The database figures as Prometheus gauges."""
    pending = GaugeMetricFamily(
        "assistant_outbox_pending", "Outbox messages not sent yet, by rule", labels=["rule"]
    )
    for rule, count in sorted(figures.pending_by_rule.items()):
        pending.add_metric([rule], count)
    due = GaugeMetricFamily(
        "assistant_outbox_due", "Outbox messages due now and not sent yet, by rule", labels=["rule"]
    )
    for rule, count in sorted(figures.due_by_rule.items()):
        due.add_metric([rule], count)
    yield pending
    yield due
    yield _age(
        "assistant_outbox_oldest_due_seconds",
        "Age of the oldest due message",
        figures.oldest_due,
        now,
    )
    yield GaugeMetricFamily(
        "assistant_handoff_waiting",
        "People waiting for a counsellor (open hand-off requests)",
        value=figures.waiting,
    )
    yield _age(
        "assistant_handoff_oldest_waiting_seconds",
        "How long the person waiting longest has waited",
        figures.oldest_waiting,
        now,
    )
    yield GaugeMetricFamily(
        "assistant_checkins_sent_28d",
        "Weekly check-ins sent in 28 days",
        value=figures.checkins_sent,
    )
    yield GaugeMetricFamily(
        "assistant_checkins_answered_28d",
        "Weekly check-ins answered in 28 days (one per person and week)",
        value=figures.checkins_answered,
    )
    rate = figures.checkins_answered / figures.checkins_sent if figures.checkins_sent else 0.0
    yield GaugeMetricFamily(
        "assistant_checkin_answer_ratio", "Answered / sent weekly check-ins (28 days)", value=rate
    )


def _age(name: str, documentation: str, since: datetime | None, now: datetime) -> Metric:
    seconds = max(0.0, (now - since).total_seconds()) if since is not None else 0.0
    return GaugeMetricFamily(name, documentation + " (seconds, 0 when none)", value=seconds)


def check_gauge(checks: dict[str, Check]) -> Metric:
    """``assistant_check_up{check}``: 1 ok or off, 0.5 degraded, 0 down."""
    family = GaugeMetricFamily(
        "assistant_check_up", "Readiness checks: 1 ok, 0.5 degraded, 0 down", labels=["check"]
    )
    for name, check in checks.items():
        family.add_metric([name], LEVELS[check.status])
    return family


class _Fixed(Collector):
    def __init__(self, *metrics: Metric) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[Metric]:
        yield from self.metrics


def ops_routes(
    readiness: Readiness,
    sessions: SessionFactory,
    clock: Callable[[], datetime],
    metrics_token: str | None,
) -> list[BaseRoute]:
    """The three routes, to add in front of the console's."""
    database = DatabaseGauges(sessions, clock)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        overall, checks = await readiness.run()
        return JSONResponse(body(overall, checks), status_code=503 if overall == "down" else 200)

    async def metrics(request: Request) -> Response:
        if not metrics_token:
            return JSONResponse({"error": "metrics are off: set METRICS_TOKEN"}, status_code=404)
        given = request.headers.get("authorization", "")
        expected = f"Bearer {metrics_token}"
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return JSONResponse(
                {"error": "a bearer token is needed"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        _, checks = await readiness.run()
        extra = [database, _Fixed(check_gauge(checks))]
        text = await asyncio.to_thread(exposition, extra)
        return Response(text, media_type=CONTENT_TYPE)

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]


def sms_pause(context: AppContext, sms: object) -> Callable[[], datetime | None]:
    """Until when SMS are paused: the stored pause (any replica, kept over a restart; an
    admin may end it early), or this process's own channel's if the database cannot be
    read; None when sending."""

    def until() -> datetime | None:
        now = context.clock()
        try:
            with context.sessions() as session:
                return channel_pauses.active(session, now).get("sms")
        except Exception:  # the database check reports it
            stored = None
        if getattr(sms, "paused", False):
            left = getattr(sms, "paused_until", 0.0) - getattr(sms, "monotonic", time.monotonic)()
            stored = now + timedelta(seconds=max(0.0, left))
        return stored

    return until


def context_routes(
    context: AppContext, *, telegram: Callable[[], bool] | None = None
) -> list[BaseRoute]:
    """The routes of a process serving ``context`` (``telegram``: is it receiving updates)."""
    settings = context.settings
    sms = context.channels.get("sms")
    checks = readiness(
        context.engine,
        context.nlu,
        settings.rasa_url,
        telegram=telegram,
        sms_paused=sms_pause(context, sms) if sms is not None else None,
    )
    return ops_routes(checks, context.sessions, context.clock, settings.metrics_token)
