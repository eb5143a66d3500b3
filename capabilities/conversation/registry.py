"""Flows are registered by name (their button prefix) and by the intents they answer.

The composition root (:mod:`app.registry`) registers every flow explicitly, in order; a test
checks that every NLU intent has a flow and every flow an intent or a button prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from capabilities.conversation.turn import STAMP, Turn
from core.messages import Reply


class Flow:
    """A small state machine: ``start`` on an intent, ``on_button``/``on_text`` while active."""

    name: ClassVar[str]  # also the prefix of its button payloads: "name:arg:arg"
    intents: ClassVar[tuple[str, ...]] = ()

    def start(self, turn: Turn) -> list[Reply]:
        """Entered because the person expressed one of :attr:`intents`."""
        raise NotImplementedError

    def on_button(self, turn: Turn, args: list[str]) -> list[Reply]:
        """A button of this flow was pressed (payload already checked for expiry)."""
        return self.start(turn)

    def on_text(self, turn: Turn) -> list[Reply] | None:
        """Free text while this flow is active; ``None`` lets the router use the intent."""
        return None


@dataclass(frozen=True)
class Payload:
    """A parsed button payload: ``flow:arg:arg~nonce``."""

    flow: str
    args: list[str]
    nonce: str | None

    @classmethod
    def parse(cls, raw: str) -> Payload | None:
        """Split a payload; ``None`` when it cannot be one of ours."""
        if not raw or len(raw.encode()) > 64:
            return None
        body, _, nonce = raw.partition(STAMP)
        name, *args = body.split(":")
        if not name.isidentifier():
            return None
        return cls(name, args, nonce or None)


class Registry:
    """Maps intents and payload prefixes to flows."""

    def __init__(self) -> None:
        self._by_name: dict[str, Flow] = {}
        self._by_intent: dict[str, Flow] = {}

    def add(self, flow: Flow) -> Flow:
        """Register a flow; a name or intent registered twice is a programming error."""
        if flow.name in self._by_name:
            raise ValueError(f"flow {flow.name!r} registered twice")
        self._by_name[flow.name] = flow
        for intent in flow.intents:
            if intent in self._by_intent:
                raise ValueError(f"intent {intent!r} already handled by {self._by_intent[intent]}")
            self._by_intent[intent] = flow
        return flow

    def by_name(self, name: str) -> Flow | None:
        """The flow with that name (payload prefix)."""
        return self._by_name.get(name)

    def for_intent(self, intent: str | None) -> Flow | None:
        """The flow that answers ``intent``."""
        return self._by_intent.get(intent or "")

    def intents(self) -> set[str]:
        """Every intent some flow answers."""
        return set(self._by_intent)

    def names(self) -> set[str]:
        """Every registered flow name."""
        return set(self._by_name)
