"""What flows may use besides the turn: the registry, the content catalog, hooks.

Built once by the composition root and shared by every turn. Hooks let later capabilities
(appointments, the RSA programme, hand-off) plug in without the core importing them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from capabilities.conversation.registry import Registry
from core.clock import Clock, utcnow
from core.messages import Reply

if TYPE_CHECKING:
    from capabilities.conversation.turn import Turn
    from capabilities.information.catalog import Catalog


@dataclass(frozen=True)
class Event:
    """Something that happened during a committed turn (e.g. a hand-off was requested)."""

    name: str
    person_id: int
    data: dict[str, Any] = field(default_factory=dict)


# "/start CODE" handlers (deep links): return replies if the code is theirs, else None.
StartHandler = Callable[["Turn", str], list[Reply] | None]
# Lines for /mesdonnees: each capability describes what it stores about the person.
DataSection = Callable[["Turn"], list[str]]
# Run inside the erasure's transaction, just before the person is deleted: a capability frees
# what the person held for others (a seat at the Espace for the waiting list…).
EraseHook = Callable[["Turn"], None]
# Async listeners run after the turn's transaction committed (network I/O lives here).
Listener = Callable[[Event], Awaitable[None]]


@dataclass
class Services:
    """Shared, long-lived dependencies of the flows."""

    registry: Registry
    catalog: Catalog
    clock: Clock = utcnow
    start_handlers: list[StartHandler] = field(default_factory=list)
    data_sections: list[DataSection] = field(default_factory=list)
    erase_hooks: list[EraseHook] = field(default_factory=list)
    listeners: list[Listener] = field(default_factory=list)
