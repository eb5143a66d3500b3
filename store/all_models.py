"""Imports every model module so the metadata knows every table (Alembic, tests)."""

from store import appointments, console_models, models, outbox, plan, programme, staff  # noqa: F401
