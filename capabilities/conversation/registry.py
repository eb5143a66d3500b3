"""Flows are registered by name (their button prefix) and by the intents they answer.

The composition root (:mod:`app.registry`) registers every flow explicitly, in order;
``tests/conversation/test_intents.py`` checks that every NLU intent has a flow and every flow
an intent (or is button-only). Each flow declares its steps and moves (:mod:`.machine`);
every call of ``start``/``on_button``/``on_text`` is checked against them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from capabilities.conversation.machine import Machine
from capabilities.conversation.turn import STAMP, Turn
from core.messages import Reply

ENTRY_POINTS = ("start", "on_button", "on_text")
MAX_DIGITS = 18  # ids fit a 64-bit integer column


class Flow:
    """A declared state machine: ``start`` on an intent, ``on_button``/``on_text`` while active."""

    name: ClassVar[str]  # also the prefix of its button payloads: "name:arg:arg"
    intents: ClassVar[tuple[str, ...]] = ()
    button_only: ClassVar[bool] = False  # entered by buttons/commands only, never by an intent
    machine: ClassVar[Machine]  # its steps and allowed moves (rendered to the .mmd beside it)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every entry point a flow defines is checked against its declared moves."""
        super().__init_subclass__(**kwargs)
        for name in ENTRY_POINTS:
            if name in cls.__dict__:
                setattr(cls, name, _checked(cls.__dict__[name]))

    def start(self, turn: Turn) -> list[Reply]:
        """Entered because the person expressed one of :attr:`intents`."""
        raise NotImplementedError

    def on_button(self, turn: Turn, args: list[str]) -> list[Reply]:
        """A button of this flow was pressed (payload already checked for expiry)."""
        return self.start(turn)

    def on_text(self, turn: Turn) -> list[Reply] | None:
        """Free text while this flow is active; ``None`` lets the router use the intent."""
        return None


def step_of(flow: Flow, turn: Turn) -> str | None:
    """The flow's step in this conversation; ``None`` when the flow is not the active one."""
    return turn.step if turn.flow == flow.name else None


def _checked(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def run(flow: Flow, turn: Turn, *args: Any) -> Any:
        before = step_of(flow, turn)
        replies = method(flow, turn, *args)
        if not turn.erased:  # the conversation row is gone with the person
            flow.machine.check(before, step_of(flow, turn))
        return replies

    return run


def _sane_arg(arg: str) -> bool:
    """Numbers in our payloads are short ASCII digits: "²", "٣" or 30 digits are forged."""
    return not arg.isnumeric() or (arg.isascii() and len(arg) <= MAX_DIGITS)


@dataclass(frozen=True)
class Payload:
    """A parsed button payload: ``flow:arg:arg~nonce``."""

    flow: str
    args: list[str]
    nonce: str | None

    @classmethod
    def parse(cls, raw: str) -> Payload | None:
        """Split a payload; ``None`` when it cannot be one of ours."""
        if not raw or len(raw.encode(errors="replace")) > 64:
            return None
        body, _, nonce = raw.partition(STAMP)
        name, *args = body.split(":")
        if not name.isidentifier() or not all(map(_sane_arg, args)):
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
