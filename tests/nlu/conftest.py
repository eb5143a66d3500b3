"""Shared fixtures for the NLU tests: one trained engine per session."""

from __future__ import annotations

import pytest

from nlu.engine import EmbeddedEngine


@pytest.fixture(scope="session")
def engine() -> EmbeddedEngine:
    """The embedded engine trained from nlu/data (no cache: tests must not depend on var/)."""
    return EmbeddedEngine.from_data_dir(cache_dir=None)
