"""How updates reach this replica: long polling (default) or the webhook and its inbox.

``TELEGRAM_WEBHOOK_URL`` set → :func:`bot.telegram_webhook.webhook_mode` (``setWebhook``),
the endpoint :class:`app.webhook.TelegramWebhook` mounted on the console's server at the
URL's path, and an :class:`bot.telegram_inbox.InboxWorker` draining the inbox. Otherwise →
:func:`bot.telegram_app.polling` (which deletes any webhook first).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from app.context import AppContext
from app.telegram import TelegramParts
from app.webhook import TelegramWebhook, webhook_path
from bot.telegram_app import polling
from bot.telegram_inbox import InboxWorker
from bot.telegram_webhook import webhook_mode


@dataclass
class Receiving:
    """What the chosen mode adds to the serving process."""

    mount: Callable[[Any], Any] | None = None  # wraps the console's ASGI app
    tasks: list[Coroutine[Any, Any, None]] = field(default_factory=list)  # end when stopped
    webhook: TelegramWebhook | None = None
    worker: InboxWorker | None = None


@contextlib.asynccontextmanager
async def receive_updates(
    context: AppContext, telegram: TelegramParts, stop: Any, *, poll_timeout: int = 30
) -> AsyncIterator[Receiving]:
    """Start receiving updates; stop when the block ends."""
    settings = context.settings
    application = telegram.application
    if not settings.telegram_webhook_url:
        async with polling(application, poll_timeout=poll_timeout):
            yield Receiving()
        return
    assert settings.telegram_webhook_secret is not None  # the settings require it
    worker = InboxWorker(application, context.sessions)
    webhook = TelegramWebhook(
        webhook_path(settings.telegram_webhook_url),
        settings.telegram_webhook_secret,
        context.sessions,
        kick=worker.kick,
    )
    async with webhook_mode(
        application,
        url=settings.telegram_webhook_url,
        secret=settings.telegram_webhook_secret,
        max_connections=settings.telegram_webhook_max_connections,
    ):
        yield Receiving(
            mount=webhook.mount, tasks=[worker.run(stop)], webhook=webhook, worker=worker
        )
