"""Imports every model module so the metadata knows every table (Alembic, tests)."""

from store import (  # noqa: F401
    appointments,
    channel_pauses,
    console_models,
    console_sessions,
    held_replies,
    inbox,
    media,
    models,
    outbox,
    plan,
    programme,
    sms,
    staff,
    webchat_models,
)
