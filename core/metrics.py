"""Prometheus metrics (``prometheus-client``), counted where things happen, served at /metrics.

Counters and histograms live here, one object each, all with labels (a labelled child is
made on first use, so :func:`enable_multiprocess` still applies to metrics already imported).
Under ``ASSISTANT_PROCESS=1`` the turns run in a child process: both processes write their
samples to files in ``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode) and
:func:`exposition` adds them up. Gauges read from the database (outbox depth, people waiting
for a counsellor…) are computed when /metrics is read, by a collector given to
:func:`exposition` (``app/metrics.py``): the same figures whichever process or replica
answers.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST

UPDATES = Counter(
    "assistant_updates_total", "Messages and button presses received", ["channel", "kind"]
)
TURN_SECONDS = Histogram(
    "assistant_turn_seconds",
    "Time to answer one message (understanding, the turn's transaction)",
    ["channel"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
TURN_FAILURES = Counter(
    "assistant_turn_failures_total", "Turns that ended with an apology", ["channel"]
)
NLU_PARSES = Counter("assistant_nlu_parses_total", "Messages understood, by engine", ["engine"])
NLU_FALLBACKS = Counter(
    "assistant_nlu_fallbacks_total",
    "Messages the embedded engine answered because Rasa could not",
    ["reason"],  # error | breaker_open
)
SENDS = Counter(
    "assistant_sends_total",
    "Replies (messages) and outbox rows (one each) handed to a channel, by outcome",
    ["channel", "source", "outcome"],  # source: reply | outbox; outcome: sent | failed | 429
)

OWN = (UPDATES, TURN_SECONDS, TURN_FAILURES, NLU_PARSES, NLU_FALLBACKS, SENDS)


def sent(channel: str, source: str, outcome: str, count: int = 1) -> None:
    """Count ``count`` messages handed to ``channel`` with this outcome."""
    if count > 0:
        SENDS.labels(channel=channel, source=source, outcome=outcome).inc(count)


def multiprocess_dir() -> str | None:
    """The directory of multiprocess mode, when it is on."""
    return os.environ.get(MULTIPROC_ENV) or None


def enable_multiprocess(path: str | None = None) -> str:
    """Switch this process (and the children it starts) to multiprocess mode.

    Uses ``PROMETHEUS_MULTIPROC_DIR`` when the operator set it, else a new temporary
    directory. Call it before the first message: samples counted earlier in this process are
    reset (they would otherwise be invisible to the aggregated exposition).
    """
    path = path or multiprocess_dir() or tempfile.mkdtemp(prefix="assistant-metrics-")
    os.makedirs(path, exist_ok=True)
    for stale in Path(path).glob("*.db"):  # a previous run's samples (prometheus-client's rule)
        stale.unlink(missing_ok=True)
    os.environ.pop(MULTIPROC_ENV, None)
    for metric in OWN:  # (prometheus-client clears only in-process values)
        metric.clear()
    os.environ[MULTIPROC_ENV] = path
    values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]
    return path


def disable_multiprocess(*, remove: bool = False) -> None:
    """Back to in-process values (tests); ``remove`` deletes the samples' directory."""
    path = os.environ.pop(MULTIPROC_ENV, None)
    values.ValueClass = values.MutexValue
    for metric in OWN:
        metric.clear()
    if remove and path:
        shutil.rmtree(path, ignore_errors=True)


def exposition(extra: Iterable[Collector] = ()) -> bytes:
    """The text format of every metric: this process's (or all processes' in multiprocess
    mode) and the ``extra`` collectors' (read now)."""
    registry = CollectorRegistry()
    path = multiprocess_dir()
    if path:
        multiprocess.MultiProcessCollector(registry, path=path)  # type: ignore[no-untyped-call]
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    if not extra:
        return body
    more = CollectorRegistry()
    for collector in extra:
        more.register(collector)
    return body + generate_latest(more)
