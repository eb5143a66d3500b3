"""Events: what happened during a committed turn, for listeners that do network I/O after it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    """Something that happened during a committed turn (e.g. a hand-off was requested)."""

    name: str
    person_id: int
    data: dict[str, Any] = field(default_factory=dict)


# Async listeners run after the turn's transaction committed (network I/O lives here).
Listener = Callable[[Event], Awaitable[None]]
