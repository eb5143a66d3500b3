"""Declared state machines: the tables, their run-time check, and diagrams that stay true."""

from __future__ import annotations

import logging
from enum import StrEnum
from pathlib import Path
from typing import ClassVar

import pytest

from app.registry import build_registry
from capabilities.appointments.steps import Action as BookingAction
from capabilities.appointments.steps import Step as BookingStep
from capabilities.conversation import diagrams
from capabilities.conversation.machine import ANY, RECORDED, Machine, NoStep, member, moves
from capabilities.conversation.registry import Flow
from capabilities.conversation.turn import Turn
from capabilities.programme.checkin import Step as CheckinStep
from core.messages import Reply

ROOT = Path(__file__).resolve().parents[2]


class Door(StrEnum):
    OPEN = "open"
    SHUT = "shut"


DOOR = Machine(
    "door",
    Door,
    moves(
        (None, Door.SHUT, "built"),
        (Door.SHUT, Door.OPEN, "push"),
        (Door.OPEN, Door.SHUT, "pull"),
        (Door.SHUT, None, "removed"),
    ),
)


def test_a_machine_allows_only_its_moves() -> None:
    assert DOOR.allows(None, "shut") and DOOR.allows("shut", "open")
    assert DOOR.allows("open", "open")  # staying put is not a move
    assert not DOOR.allows(None, "open")
    assert not DOOR.allows("open", None)
    assert not DOOR.allows("ajar", "ajar")  # an unknown step is never allowed
    assert DOOR.entries() == {"shut"} and DOOR.exits() == {"shut"}
    assert DOOR.after("shut") == {"open", None}


def test_any_source_covers_every_step_and_outside() -> None:
    machine = Machine("m", Door, moves((ANY, Door.OPEN, ""), (None, Door.SHUT, "")))
    assert machine.allows(None, "open") and machine.allows("shut", "open")
    assert not machine.allows("open", "shut")


def test_a_move_must_name_the_machine_s_own_steps() -> None:
    with pytest.raises(TypeError):
        Machine("m", Door, moves((None, BookingStep.DAY, "")))


def test_member_reads_old_and_forged_values() -> None:
    assert member(Door, "open") is Door.OPEN
    assert member(Door, "forged") is None and member(Door, None) is None


def test_an_undeclared_move_is_logged_and_recorded_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR):
        assert DOOR.check("open", None) is False
    assert "undeclared move open → None" in caplog.text
    assert [(u.machine, u.source, u.target) for u in RECORDED] == [("door", "open", None)]
    RECORDED.clear()  # this test wanted it (the conftest fixture fails any other)


class DoorFlow(Flow):
    name: ClassVar[str] = "door"
    machine = DOOR

    def on_button(self, turn: Turn, args: list[str]) -> list[Reply]:
        turn.enter(self.name, args[0])
        return [Reply(text=f"door {args[0]}")]


class _Conversation:
    flow: str | None = None
    step: str | None = None


class _Turn:
    """The part of a turn a flow's guard reads."""

    def __init__(self) -> None:
        self.conversation = _Conversation()
        self.erased = False

    @property
    def flow(self) -> str | None:
        return self.conversation.flow

    @property
    def step(self) -> str | None:
        return self.conversation.step

    def enter(self, flow: str, step: str) -> None:
        self.conversation.flow, self.conversation.step = flow, step


def test_every_entry_point_of_a_flow_is_checked() -> None:
    flow, turn = DoorFlow(), _Turn()
    assert flow.on_button(turn, ["shut"]) == [Reply(text="door shut")]  # type: ignore[arg-type]
    assert not RECORDED
    replies = flow.on_button(turn, ["ajar"])  # type: ignore[arg-type]
    assert replies == [Reply(text="door ajar")]  # the person's turn is kept
    assert [(u.source, u.target) for u in RECORDED] == [("shut", "ajar")]
    RECORDED.clear()


def test_every_registered_flow_declares_a_machine_of_its_name() -> None:
    registry = build_registry()
    for name in registry.names():
        flow = registry.by_name(name)
        assert flow is not None and isinstance(flow.machine, Machine), name
        assert flow.machine.name == name


def test_every_step_can_be_reached_and_left() -> None:
    for path, machine in diagrams.machines().items():
        for step in machine.steps:
            reached = any(m.target == step for m in machine.moves)
            left = any(m.source in (step, ANY) and m.target != step for m in machine.moves)
            assert reached and left, f"{path.name}: step {step} is a dead end or unreachable"
        if machine.steps is NoStep:
            assert machine.moves, f"{path.name}: say how the flow is entered"


def test_persisted_values_and_old_buttons_keep_working() -> None:
    assert {str(s) for s in BookingStep} == {
        "motif",
        "espace",
        "full",
        "day",
        "time",
        "confirm",
        "cancel",
        "reminded",
        "name",
        "phone",
    }
    old_payloads = [
        "menu",
        "new",
        "m",
        "e",
        "d",
        "more",
        "days",
        "t",
        "ok",
        "mv",
        "cx",
        "cxok",
        "yes",
        "no",
        "pick",
        "go",
        "wl",
        "nm",
        "ph",
    ]
    assert {str(a) for a in BookingAction} == set(old_payloads)
    assert {str(s) for s in CheckinStep} == {"await", "note"}


def test_every_diagram_is_generated_from_its_table() -> None:
    outdated = diagrams.stale()
    assert not outdated, (
        "stale diagrams: "
        + ", ".join(str(p.relative_to(ROOT)) for p in outdated)
        + f"\nrewrite them with: {diagrams.COMMAND}"
    )


def test_every_flow_has_its_diagram_and_no_diagram_is_orphaned() -> None:
    generated = set(diagrams.machines())
    on_disk = set((ROOT / "capabilities").rglob("*.mmd"))
    assert on_disk == generated, f"orphaned: {on_disk - generated}, missing: {generated - on_disk}"
    shown = {machine.name for machine in generated_machines()}
    assert build_registry().names() <= shown
    assert {"consent", "enrolment"} <= shown


def generated_machines() -> list[Machine]:
    return list(diagrams.machines().values())


def test_the_rendering_is_a_mermaid_state_diagram() -> None:
    text = diagrams.render(DOOR)
    assert text.splitlines()[1] == "stateDiagram-v2"
    assert "    [*] --> shut: built" in text and "    shut --> [*]: removed" in text
    assert text.startswith("%% Generated from the 'door' table")


def test_the_command_reports_stale_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert diagrams.main([]) == 0
    assert capsys.readouterr().out == ""
