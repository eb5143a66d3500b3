"""The release as an IT person installs it: every pinned requirement is in the locks with
hashes, the dev lock keeps the runtime versions, the scripts point at real commands and the
package list is explicit (no test or benchmark code in the wheel)."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(\S+)", re.MULTILINE)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    return {canonical(name): version for name, version in PIN.findall(path.read_text())}


def locked(path: Path) -> dict[str, str]:
    """Name → version of a pip-compile lock, checking each entry has hashes."""
    text = path.read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text)  # comments and blank lines match no pin
    found = {}
    for entry in entries:
        match = PIN.match(entry.strip())
        if match:
            assert "--hash=sha256:" in entry, f"{match.group(1)} has no hash in {path.name}"
            found[canonical(match.group(1))] = match.group(2)
    return found


@pytest.mark.parametrize(
    ("requirements", "lock"),
    [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")],
)
def test_every_requirement_is_locked_at_its_pinned_version(requirements: str, lock: str) -> None:
    wanted = pins(ROOT / requirements)
    have = locked(ROOT / lock)
    stale = {name: version for name, version in wanted.items() if have.get(name) != version}
    assert not stale, f"run `make lock`: {stale} differ from {lock}"


def test_the_dev_lock_keeps_the_runtime_versions_and_the_image_gets_no_test_tool() -> None:
    runtime = locked(ROOT / "requirements.lock")
    dev = locked(ROOT / "requirements-dev.lock")
    assert {name: dev.get(name) for name in runtime} == runtime
    for tool in ("pytest", "ruff", "mypy", "playwright", "hypothesis"):
        assert tool not in runtime


def test_the_project_is_declared_for_building_and_installing() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["build-system"]["build-backend"] == "setuptools.build_meta"
    assert project["project"]["dynamic"] == ["dependencies"]
    assert project["tool"]["setuptools"]["dynamic"]["dependencies"]["file"] == ["requirements.txt"]
    found = project["tool"]["setuptools"]["packages"]["find"]
    assert not any(name.startswith(("tests", "bench")) for name in found["include"])
    for script, target in project["project"]["scripts"].items():
        module, function = target.split(":")
        assert callable(getattr(importlib.import_module(module), function)), script


@pytest.mark.parametrize(
    "command",
    [
        ["bot"],
        ["console"],
        ["store"],
        ["scheduler"],
        ["capabilities.appointments"],
        ["nlu"],
        ["bench"],
    ],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", *command, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m ")
    subcommands = re.search(r"\{([a-z,-]+)\}", result.stdout)
    if subcommands:  # every subcommand says what it does
        for name in subcommands.group(1).split(","):
            assert re.search(rf"^\s+{name}\s+\S", result.stdout, re.MULTILINE), name


def test_bench_help_lists_the_benchmarks_and_refuses_unknown_names() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "bench", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert "cold_start" in shown.stdout and "telegram_e2e" in shown.stdout
    refused = subprocess.run(
        [sys.executable, "-m", "bench", "no_such_bench"], cwd=ROOT, capture_output=True, text=True
    )
    assert refused.returncode == 2
    assert "unknown benchmark" in refused.stderr
