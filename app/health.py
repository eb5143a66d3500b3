"""Readiness checks of one process: what ``/readyz`` (and the ``assistant_check_up`` gauge)
report, each by name.

- ``database``: reachable, and at every head of the migration history (the history has one
  branch per slice, so "at the head" means "at all the heads");
- ``nlu``: the embedded engine trained or loaded;
- ``rasa``: answering with a model, when ``RASA_URL`` is set — else the embedded engine
  answers alone and the check is ``degraded``, not ``down``;
- ``telegram``: polling (or the webhook) running, in the process that serves Telegram.

A check is ``ok``, ``degraded`` (working, with less), ``down`` or ``off`` (not configured
here). The process is ready unless one is ``down``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from core.ports import Nlu
from store.db import Engine
from store.migrate import at_heads

CHECK_TIMEOUT_S = 3.0
LEVELS = {"ok": 1.0, "degraded": 0.5, "off": 1.0, "down": 0.0}


@dataclass(frozen=True)
class Check:
    """One named result."""

    status: str  # ok | degraded | down | off
    detail: str


Probe = Callable[[], Awaitable[Check]]


def database_probe(engine: Engine) -> Probe:
    """Reachable and migrated to every head (a blocking call: run in a thread)."""

    async def probe() -> Check:
        try:
            migrated = await asyncio.wait_for(asyncio.to_thread(at_heads, engine), CHECK_TIMEOUT_S)
        except TimeoutError:
            return Check("down", f"no answer within {CHECK_TIMEOUT_S:g} s")
        except Exception as exc:  # the driver's error: name its kind, never the URL
            return Check("down", f"unreachable ({type(exc).__name__})")
        if not migrated:
            return Check("down", "schema not at the head migrations (run: python -m store upgrade)")
        return Check("ok", "reachable, schema at the head migrations")

    return probe


def nlu_probe(nlu: Nlu | None) -> Probe:
    """The embedded engine is loaded (a test's own parser counts as loaded)."""

    async def probe() -> Check:
        if nlu is None:
            return Check("ok", "a parser was given")
        if getattr(nlu, "loaded", True):
            return Check("ok", "embedded engine loaded")
        return Check("down", "embedded engine not loaded yet")

    return probe


def rasa_probe(nlu: Nlu | None, rasa_url: str | None) -> Probe:
    """Rasa has a model loaded; without it the embedded engine answers (degraded)."""

    async def probe() -> Check:
        client = getattr(nlu, "client", None)
        if not rasa_url or client is None:
            return Check("off", "RASA_URL not set: the embedded engine answers")
        try:
            healthy = await asyncio.wait_for(client.healthy(), CHECK_TIMEOUT_S)
        except TimeoutError:
            healthy = False
        if healthy:
            return Check("ok", "Rasa answers with a model")
        return Check("degraded", "Rasa unreachable or without a model: the embedded engine answers")

    return probe


def receiving_probe(receiving: Callable[[], bool] | None, what: str = "Telegram") -> Probe:
    """Polling or the webhook is running in this process."""

    async def probe() -> Check:
        if receiving is None:
            return Check("off", f"{what} is not served by this process")
        if receiving():
            return Check("ok", f"{what} updates are being received")
        return Check("down", f"{what} polling or webhook is not running")

    return probe


def sms_probe(paused: Callable[[], datetime | None] | None) -> Probe:
    """``degraded`` while Brevo has no credits left (the SMS channel waits, the others go):
    ``paused`` says until when (the ``channel_pauses`` row any replica stored)."""

    async def probe() -> Check:
        if paused is None:
            return Check("off", "SMS_PROVIDER not set: no SMS")
        until = await asyncio.to_thread(paused)
        if until is not None:
            return Check(
                "degraded",
                "Brevo: no SMS credits left; SMS paused until "
                f"{until.astimezone(UTC):%Y-%m-%dT%H:%MZ}, other channels go on",
            )
        return Check("ok", "SMS channel sending")

    return probe


@dataclass
class Readiness:
    """The checks of one process, run together (each under its own timeout)."""

    probes: dict[str, Probe] = field(default_factory=dict)

    async def run(self) -> tuple[str, dict[str, Check]]:
        """The overall status (``ok``, ``degraded`` or ``down``) and each check's result."""
        names = list(self.probes)
        results = await asyncio.gather(*(self.probes[name]() for name in names))
        checks = dict(zip(names, results, strict=True))
        statuses = {check.status for check in checks.values()}
        overall = "down" if "down" in statuses else "degraded" if "degraded" in statuses else "ok"
        return overall, checks


def body(overall: str, checks: dict[str, Check]) -> dict[str, Any]:
    """The JSON of ``/readyz``."""
    return {
        "status": overall,
        "checks": {
            name: {"status": check.status, "detail": check.detail} for name, check in checks.items()
        },
    }


def readiness(
    engine: Engine,
    nlu: Nlu | None,
    rasa_url: str | None,
    *,
    telegram: Callable[[], bool] | None = None,
    sms_paused: Callable[[], datetime | None] | None = None,
) -> Readiness:
    """The standard checks of a process of the application."""
    return Readiness(
        {
            "database": database_probe(engine),
            "nlu": nlu_probe(nlu),
            "rasa": rasa_probe(nlu, rasa_url),
            "telegram": receiving_probe(telegram),
            "sms": sms_probe(sms_paused),
        }
    )
