"""Settings that send SMS through a fake Brevo (shared by the SMS and console tests)."""

from __future__ import annotations

from core.settings import Settings, load_settings
from tests.fakes.brevo_api import API_KEY

SECRET = "brevo-hook-secret-0123456789"


def brevo_settings(database_url: str, base_url: str, **more: object) -> Settings:
    """SQLite or PostgreSQL at ``database_url``, no Telegram token, SMS by the Brevo at
    ``base_url`` (``more``: other settings)."""
    return load_settings(
        database_url=database_url,
        telegram_bot_token=None,
        rasa_url=None,
        sms_provider="brevo",
        brevo_api_key=API_KEY,
        sms_webhook_secret=SECRET,
        brevo_base_url=base_url,
        **more,
    )
