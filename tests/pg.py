"""PostgreSQL for tests: a uniquely-named database created and dropped around each test."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def postgres_available() -> bool:
    """True when the local server answers (it runs on every development and CI machine)."""
    try:
        engine = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@contextlib.contextmanager
def temporary_database(prefix: str = "assistant_test") -> Iterator[str]:
    """Create a fresh database, yield its URL, drop it afterwards (even on failure)."""
    if not postgres_available():
        pytest.fail("PostgreSQL is not running on 127.0.0.1:5432 (see README: services)")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
