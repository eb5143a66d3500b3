"""Issue 10's SQL rule for the programme and the scheduler: their queries live in ``store/``
(``store/planning``, ``store/repo_programme.py``, ``store/repo_outbox*.py``), which imports
nothing of the capabilities or the adapters."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WITHOUT_SQL = ["capabilities/programme", "scheduler"]
STORE = [
    "store/planning",
    "store/repo_programme.py",
    "store/repo_outbox.py",
    "store/repo_outbox_marks.py",
    "store/repo_maintenance.py",
    "store/errors.py",
]
ABOVE_STORE = ("capabilities", "scheduler", "console", "bot", "app", "nlu")


def modules(where: str) -> list[Path]:
    path = ROOT / where
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, top-level or not."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("where", WITHOUT_SQL)
def test_the_programme_and_the_scheduler_do_not_import_sqlalchemy(where: str) -> None:
    found = {
        str(path.relative_to(ROOT)): sorted(
            n for n in imported(path) if n.split(".")[0] == "sqlalchemy"
        )
        for path in modules(where)
    }
    assert {path: names for path, names in found.items() if names} == {}


@pytest.mark.parametrize("where", STORE)
def test_the_store_repositories_import_nothing_above_the_store(where: str) -> None:
    found = {
        str(path.relative_to(ROOT)): sorted(
            n for n in imported(path) if n.split(".")[0] in ABOVE_STORE
        )
        for path in modules(where)
    }
    assert {path: names for path, names in found.items() if names} == {}
