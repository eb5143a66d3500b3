"""Every declared state machine rendered to the Mermaid diagram beside its module.

``python -m capabilities.conversation.diagrams`` lists the stale diagrams (exit 1 if any);
``--write`` rewrites them. A test runs the check, so the diagrams stay true to the tables.
A module with one machine gets ``<module>.mmd``; with several, ``<module>.<name>.mmd``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from pathlib import Path
from types import ModuleType

from capabilities.conversation.machine import ANY, Machine
from capabilities.conversation.registry import Flow

COMMAND = "python -m capabilities.conversation.diagrams --write"
ROOTS = ("capabilities",)


def render(machine: Machine) -> str:
    """The ``stateDiagram-v2`` text of a machine (its notes as ``%%`` comment lines)."""
    lines = [f"%% {note}" for note in machine.notes]
    lines.append(f"%% Generated from the {machine.name!r} table: {COMMAND}")
    lines.append("stateDiagram-v2")
    if any(move.source is ANY for move in machine.moves):
        lines.append(f'    state "any step, or outside" as {ANY}')
    for move in machine.moves:
        source = "[*]" if move.source is None else str(move.source)
        target = "[*]" if move.target is None else str(move.target)
        label = move.label.replace(";", ",").replace("\n", " ")
        lines.append(f"    {source} --> {target}" + (f": {label}" if label else ""))
    return "\n".join(lines) + "\n"


def modules(roots: tuple[str, ...] = ROOTS) -> list[ModuleType]:
    """Every module of the capability packages (``__main__`` entry points left out)."""
    found: list[ModuleType] = []
    for root in roots:
        package = importlib.import_module(root)
        found.append(package)
        for info in pkgutil.walk_packages(package.__path__, f"{root}."):
            if not info.name.endswith("__main__"):
                found.append(importlib.import_module(info.name))
    return found


def machines(roots: tuple[str, ...] = ROOTS) -> dict[Path, Machine]:
    """Each diagram file and the machine it shows: flows first, then standalone tables."""
    placed: dict[str, list[Machine]] = {}
    used: set[int] = set()
    scanned = modules(roots)
    for module in scanned:
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Flow) and cls is not Flow and cls.__module__ == module.__name__:
                placed.setdefault(module.__name__, []).append(cls.machine)
                used.add(id(cls.machine))
    for module in scanned:
        for _name, value in vars(module).items():
            if isinstance(value, Machine) and id(value) not in used:
                placed.setdefault(module.__name__, []).append(value)
                used.add(id(value))
    files: dict[Path, Machine] = {}
    for name, found in placed.items():
        source = Path(str(sys.modules[name].__file__))
        for machine in found:
            stem = source.stem if len(found) == 1 else f"{source.stem}.{machine.name}"
            files[source.with_name(f"{stem}.mmd")] = machine
    return files


def stale(roots: tuple[str, ...] = ROOTS) -> list[Path]:
    """The diagram files missing or different from their machine's rendering."""
    return [
        path
        for path, machine in sorted(machines(roots).items())
        if not path.exists() or path.read_text(encoding="utf-8") != render(machine)
    ]


def main(argv: list[str]) -> int:
    """Check (default) or ``--write`` every diagram."""
    if "--write" in argv:
        for path, machine in sorted(machines().items()):
            path.write_text(render(machine), encoding="utf-8")
            print(f"wrote {path}")
        return 0
    outdated = stale()
    for path in outdated:
        print(f"stale: {path}")
    if outdated:
        print(f"rewrite them with: {COMMAND}")
    return 1 if outdated else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
