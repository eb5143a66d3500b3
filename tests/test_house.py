"""The house stays easy to see: small modules in the packages (the import contracts are
checked by ``lint-imports`` in ``make test``)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "bot", "capabilities", "console", "core", "nlu", "scheduler", "store")
MAX_LINES = 400


def test_every_module_has_at_most_400_lines() -> None:
    too_long = {
        str(path.relative_to(ROOT)): lines
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}, f"split these modules by concern: {too_long}"
