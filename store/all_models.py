"""Imports every model module so the metadata knows every table (Alembic, tests)."""

from store import models, outbox, programme, staff  # noqa: F401
