"""What a turn leaves behind for the operator: one DEBUG log line and the turn's metrics.

Ids, kind, engine, intent and duration — never what the person wrote, nor their name, phone
number or address. The person is their :func:`core.logs.pseudonym`.
"""

from __future__ import annotations

import logging
from typing import Any

from core import metrics
from core.logs import pseudonym
from core.messages import Incoming
from core.settings import Settings

log = logging.getLogger("capabilities.assistant.turn")


def who(settings: Settings, incoming: Incoming) -> str:
    """The person's pseudonym for logs."""
    return pseudonym(settings, incoming.channel, incoming.user_ref)


def observe(
    settings: Settings,
    incoming: Incoming,
    parse: dict[str, Any] | None,
    seconds: float,
    failed: bool,
) -> None:
    """Count the turn (updates, latency, NLU engine, failures) and log it at DEBUG."""
    kind = incoming.kind.value
    metrics.UPDATES.labels(channel=incoming.channel, kind=kind).inc()
    metrics.TURN_SECONDS.labels(channel=incoming.channel).observe(seconds)
    if failed:
        metrics.TURN_FAILURES.labels(channel=incoming.channel).inc()
    engine = None
    if parse is not None:
        engine = str(parse.get("engine") or "embedded")
        metrics.NLU_PARSES.labels(engine=engine).inc()
    if not log.isEnabledFor(logging.DEBUG):
        return
    intent = parse.get("intent") if parse is not None else None
    fields = {
        "channel": incoming.channel,
        "update_id": incoming.update_id,
        "person": who(settings, incoming),
        "kind": kind,
        "engine": engine,
        "intent": intent.get("name") if isinstance(intent, dict) else None,
        "duration_ms": round(seconds * 1000, 1),
        "failed": failed,
    }
    text = " ".join(f"{name}={value}" for name, value in fields.items())
    log.debug("turn %s", text, extra=fields)
