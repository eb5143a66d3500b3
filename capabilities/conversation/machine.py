"""Declared state machines: a flow's steps, the moves allowed between them, and their check.

A flow's steps are a :class:`enum.StrEnum` whose values are the strings persisted in
``conversations.step`` (so stored conversations keep working). Its :class:`Machine` lists the
moves between steps; ``None`` stands for "outside the flow" (``[*]`` in the diagram): a move
from ``None`` enters the flow, a move to ``None`` leaves it. A move is judged on one call of
the flow (its state before and after), not on the intermediate ``turn.goto`` calls.
:data:`ANY` as a source means "from outside or from any step" (a flow that fills a form in
any order, like the booking: the next step is the first missing piece).

An undeclared move is a bug in the flow or in its table: it is logged and recorded (the test
suite fails on any record), never raised, so the person's turn is not lost.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

log = logging.getLogger(__name__)

E = TypeVar("E", bound=StrEnum)


class NoStep(StrEnum):
    """The steps of a flow that never holds the conversation (it answers and lets go)."""


class Anywhere(StrEnum):
    """The source of a move possible from outside the flow and from each of its steps."""

    ANY = "anywhere"


ANY = Anywhere.ANY


@dataclass(frozen=True)
class Move:
    """One allowed move: ``source → target`` (``None`` is outside the flow), with its cause."""

    source: StrEnum | None
    target: StrEnum | None
    label: str = ""


@dataclass(frozen=True)
class Undeclared:
    """A move that happened at run time but is not in the machine's table."""

    machine: str
    source: str | None
    target: str | None


# The last undeclared moves seen in this process (the test suite asserts it stays empty).
RECORDED: deque[Undeclared] = deque(maxlen=100)


@dataclass(frozen=True)
class Machine:
    """The declared steps of one flow (or one persisted status) and its allowed moves."""

    name: str
    steps: type[StrEnum]
    moves: tuple[Move, ...]
    notes: tuple[str, ...] = ()  # the diagram's header comments

    def __post_init__(self) -> None:
        for move in self.moves:
            for end in (move.source, move.target):
                if end is not None and end is not ANY and not isinstance(end, self.steps):
                    raise TypeError(f"{self.name}: {end!r} is not a {self.steps.__name__}")

    def entries(self) -> set[str]:
        """The steps the flow can be entered at."""
        return {str(m.target) for m in self.moves if m.source is None and m.target is not None}

    def exits(self) -> set[str]:
        """The steps the flow can be left from."""
        return {str(m.source) for m in self.moves if m.target is None and m.source is not None}

    def after(self, step: str | None) -> set[str | None]:
        """Where the flow may go from ``step`` (``None``: outside)."""
        return {_value(m.target) for m in self.moves if m.target is not ANY and m.source == step}

    def allows(self, source: str | None, target: str | None) -> bool:
        """Staying put is always allowed; any other move must be declared."""
        if source == target:
            return source is None or source in self._values()
        if source not in self._values() | {None}:
            return False
        return target in self.after(source) | self.after(ANY)

    def check(self, source: str | None, target: str | None) -> bool:
        """Log and record an undeclared move; True when the move was declared."""
        if self.allows(source, target):
            return True
        log.error("flow %s: undeclared move %s → %s", self.name, source, target)
        RECORDED.append(Undeclared(self.name, source, target))
        return False

    def _values(self) -> set[str | None]:
        return {str(step) for step in self.steps}


def member(steps: type[E], value: str | None) -> E | None:
    """The member of ``steps`` with that value, ``None`` for an unknown one (old or forged)."""
    if value is None:
        return None
    try:
        return steps(value)
    except ValueError:
        return None


def moves(*table: tuple[StrEnum | None, StrEnum | None, str]) -> tuple[Move, ...]:
    """A transition table written as ``(source, target, label)`` rows."""
    return tuple(Move(source, target, label) for source, target, label in table)


def stateless(name: str, entries: Iterable[str], notes: tuple[str, ...] = ()) -> Machine:
    """The machine of a flow that answers and never holds the conversation."""
    return Machine(name, NoStep, moves(*((None, None, label) for label in entries)), notes)


def _value(step: StrEnum | None) -> str | None:
    return None if step is None else str(step)
