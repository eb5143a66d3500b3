"""What other capabilities tell the cadence, behind a small adapter that tolerates absence.

The appointments capability (branch ``appointments``) exposes, in one of the modules below:

- ``enqueue_due_reminders(session, now) -> int``: plan its own reminders (called every tick);
- ``physical_meetings(session, person_ids, since, until) -> Mapping[int, Iterable[datetime]]``:
  the start times of physical meetings (held or booked, not cancelled) per person;
- ``offer_slots(turn) -> list[Reply] | None``: one-tap slots for the check-in.

Until that module exists every function here answers "nothing" and the programme counts only
the meetings counsellors record themselves (``ContactEvent`` of kind ``physical``).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from flows.messages import Reply
    from flows.turn import Turn

log = logging.getLogger(__name__)

# Where the appointments capability may put its programme-facing functions, in order.
APPOINTMENT_MODULES = (
    "appointments.programme",
    "flows.appointments.programme",
    "flows.appointments.api",
    "scheduler.appointments",
    "store.appointments",
    "flows.appointments",
)


def _find(name: str) -> Callable[..., Any] | None:
    for module_name in APPOINTMENT_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        found = getattr(module, name, None)
        if callable(found):
            return cast(Callable[..., Any], found)
    return None


def enqueue_due_reminders(session: Session, now: datetime) -> int:
    """Let the appointments capability plan its reminders; 0 when it is not installed."""
    function = _find("enqueue_due_reminders")
    return int(function(session, now)) if function else 0


def physical_meetings(
    session: Session, person_ids: Iterable[int], since: datetime, until: datetime
) -> dict[int, list[datetime]]:
    """Physical meetings booked through the appointments capability, per person."""
    function = _find("physical_meetings")
    ids = list(person_ids)
    if function is None or not ids:
        return {}
    found: Mapping[int, Iterable[datetime]] = function(session, ids, since, until)
    return {int(person): sorted(times) for person, times in found.items()}


def offer_slots(turn: Turn) -> list[Reply] | None:
    """One-tap meeting slots for the check-in, or ``None`` when booking is not available."""
    function = _find("offer_slots")
    if function is None:
        return None
    replies: list[Reply] | None = function(turn)
    return replies


def available() -> bool:
    """Is the appointments capability installed (for the documentation and the report)?"""
    return _find("physical_meetings") is not None
