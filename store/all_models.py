"""Imports every model module so the metadata knows every table (Alembic, tests)."""

from store import console_models, models, outbox, staff  # noqa: F401
