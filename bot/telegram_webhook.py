"""Run the PTB ``Application`` in webhook mode: no polling; Telegram is told where to POST.

Each replica calls ``setWebhook`` at start (same URL, secret, ``allowed_updates`` and
``max_connections``: idempotent). Stopping one replica leaves the webhook in place for the
others. Going back to polling is :func:`bot.telegram_app.polling`, whose ``start_polling``
calls ``deleteWebhook`` first (pending updates kept).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from telegram.ext import Application

from bot.telegram_app import ALLOWED_UPDATES


@contextlib.asynccontextmanager
async def webhook_mode(
    app: Application[Any, Any, Any, Any, Any, Any],
    *,
    url: str,
    secret: str,
    max_connections: int,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Initialise and start the Application (hooks included) and register the webhook."""
    try:
        async with app:
            if app.post_init is not None:
                await app.post_init(app)
            await app.start()
            await app.bot.set_webhook(
                url=url,
                secret_token=secret,
                allowed_updates=ALLOWED_UPDATES,
                max_connections=max_connections,
                drop_pending_updates=False,
            )
            try:
                yield app
            finally:
                await app.stop()
    finally:
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
