"""What flows may use besides the turn: the registry, the content catalog, hooks.

Built once by the composition root and shared by every turn. Hooks let later capabilities
(appointments, the RSA programme, hand-off) plug in without the core importing them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from capabilities.conversation.registry import Registry
from core.clock import Clock, utcnow
from core.events import Listener
from core.messages import Button, Reply
from store.db import SessionFactory

if TYPE_CHECKING:
    from capabilities.conversation.turn import Turn
    from capabilities.information.catalog import Catalog


# "/start CODE" handlers (deep links): return replies if the code is theirs, else None.
StartHandler = Callable[["Turn", str], list[Reply] | None]
# Lines for /mesdonnees: each capability describes what it stores about the person.
DataSection = Callable[["Turn"], list[str]]
# Run inside the erasure's transaction, just before the person is deleted: a capability frees
# what the person held for others (a seat at the Espace for the waiting list…).
EraseHook = Callable[["Turn"], None]
# A row of buttons a capability may add under an information card (None: nothing to add).
CardExtra = Callable[["Turn"], "tuple[Button, ...] | None"]


@dataclass
class Services:
    """Shared, long-lived dependencies of the flows."""

    registry: Registry
    catalog: Catalog
    clock: Clock = utcnow
    start_handlers: list[StartHandler] = field(default_factory=list)
    data_sections: list[DataSection] = field(default_factory=list)
    erase_hooks: list[EraseHook] = field(default_factory=list)
    card_extras: list[CardExtra] = field(default_factory=list)
    listeners: list[Listener] = field(default_factory=list)


class Host(Protocol):
    """What a capability's ``install(host)`` may use: the shared services and the database.

    The application context (``app.context.AppContext``) is one; tests build smaller ones.
    """

    @property
    def services(self) -> Services:
        """The hooks and registry the capability plugs into."""
        ...

    @property
    def sessions(self) -> SessionFactory:
        """Sessions on the application's database."""
        ...
