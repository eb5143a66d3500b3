"""One turn of a conversation: everything a flow step may read or change.

A flow step gets a :class:`Turn`, reads the person's message, changes the persisted state
through it and returns replies. The database session is open for the whole turn and
committed by the assistant once every step succeeded (or rolled back if one failed).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from core.messages import Incoming, Kind
from core.settings import Settings
from store.db import Session
from store.models import Conversation, Person

if TYPE_CHECKING:
    from babel.support import NullTranslations

    from capabilities.conversation.services import Services

STAMP = "~"  # separates a payload from the keyboard nonce: "del:yes~a1b2"


@dataclass
class Turn:
    """The context of one step: the person, their conversation, the message, the clock."""

    session: Session
    person: Person
    conversation: Conversation
    incoming: Incoming
    now: datetime
    locale: str
    settings: Settings
    services: Services
    translations: NullTranslations
    parse: dict[str, Any] | None = None
    # Events to announce once the turn committed (hand-off requested, data erased…).
    emitted: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # Set when the person's data was erased during this turn: nothing more is logged.
    erased: bool = False
    # True when the pressed button carried the current keyboard nonce (see :meth:`stamp`).
    stamped: bool = False

    def emit(self, name: str, **data: Any) -> None:
        """Announce an event to the listeners after the transaction committed."""
        self.emitted.append((name, data))

    def _(self, message: str) -> str:
        """Translate an interface string into the person's language."""
        return self.translations.gettext(message)

    # --- what the person said ---------------------------------------------------------
    @property
    def text(self) -> str:
        """The free text (or command line) of the message, stripped."""
        return self.incoming.text.strip()

    @property
    def is_text(self) -> bool:
        """True for free text (not a button, not a command)."""
        return self.incoming.kind is Kind.TEXT

    @property
    def intent(self) -> str | None:
        """The NLU intent name, if the message was parsed."""
        if not self.parse:
            return None
        name = self.parse.get("intent", {}).get("name")
        return str(name) if name else None

    @property
    def confidence(self) -> float:
        """The NLU confidence of the intent (0 when not parsed)."""
        if not self.parse:
            return 0.0
        return float(self.parse.get("intent", {}).get("confidence") or 0.0)

    def entity(self, name: str) -> str | None:
        """The first value of an NLU entity, e.g. ``turn.entity("espace")``."""
        for item in (self.parse or {}).get("entities", []):
            if item.get("entity") == name and item.get("value") not in (None, ""):
                return str(item["value"])
        return None

    # --- the persisted flow state -------------------------------------------------------
    @property
    def flow(self) -> str | None:
        """The name of the active flow, if any."""
        return self.conversation.flow

    @property
    def step(self) -> str | None:
        """The active step of the active flow."""
        return self.conversation.step

    @property
    def data(self) -> dict[str, Any]:
        """The active flow's data (JSON); assign through :meth:`enter` or :meth:`update`."""
        return dict(self.conversation.data or {})

    def enter(self, flow: str, step: str, **data: Any) -> None:
        """Make ``flow`` active at ``step``; a new nonce expires the previous keyboards."""
        self.conversation.flow = flow
        self.conversation.step = step
        self.conversation.data = dict(data)
        self.conversation.nonce = secrets.token_hex(3)

    def update(self, **data: Any) -> None:
        """Merge data into the active flow's state (the keyboard stays valid)."""
        merged = dict(self.conversation.data or {})
        merged.update(data)
        self.conversation.data = merged

    def goto(self, step: str, **data: Any) -> None:
        """Move the active flow to another step: earlier keyboards expire."""
        self.update(**data)
        self.conversation.step = step
        self.conversation.nonce = secrets.token_hex(3)

    def finish(self) -> None:
        """Leave the active flow: the next free text is routed by intent again."""
        self.conversation.flow = None
        self.conversation.step = None
        self.conversation.data = {}
        self.conversation.nonce = None

    def stamp(self, payload: str) -> str:
        """A payload bound to the current keyboard: pressed later, it is refused as expired.

        Steps that change something important (erase, book, cancel) must also check
        :attr:`stamped`, so that an unstamped, forged payload is refused too.
        """
        nonce = self.conversation.nonce or ""
        return f"{payload}{STAMP}{nonce}" if nonce else payload
