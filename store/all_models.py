"""Imports every model module so the metadata knows every table (Alembic, tests)."""

from store import models, outbox, staff  # noqa: F401
