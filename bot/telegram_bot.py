"""The Telegram ``Bot`` the application, the dispatcher's channel and the staff group share.

Built once from the settings (token, ``TELEGRAM_API_URL``, Paris defaults, the lean JSON
request, PTB's rate limiter), before the ``Application``: whoever needs the bot — the staff
group, a channel — gets it at construction instead of being bound to it later.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from telegram import LinkPreviewOptions
from telegram.ext import Defaults, ExtBot
from telegram.request import HTTPXRequest

from bot.telegram_http import LeanRequest
from core.settings import Settings

PARIS = ZoneInfo("Europe/Paris")


def file_url(base_url: str) -> str:
    """PTB's ``base_file_url`` that goes with a ``base_url`` (``…/bot`` → ``…/file/bot``)."""
    if base_url.endswith("/bot"):
        return base_url[: -len("bot")] + "file/bot"
    return base_url.rstrip("/") + "/file/bot"


def free_rate() -> float:
    """The bot-wide rate of ``config/cadence.yaml`` (``dispatch.rate_per_second``, ≤ 30/s)."""
    from capabilities.programme.rules import default_rules

    return default_rules().dispatch.rate_per_second


def paid_broadcast_on() -> bool:
    """Is paid broadcast on in ``config/cadence.yaml`` (``dispatch.paid_broadcast``)?"""
    from capabilities.programme.rules import default_rules

    return default_rules().dispatch.paid_broadcast


def rate_limiter(
    overall_max_rate: float | None = None,
    *,
    max_retries: int = 0,
    settings: Settings | None = None,
) -> Any:
    """PTB's limiter: ``overall_max_rate`` messages per second for the whole bot (default:
    :func:`free_rate`; 0 disables it, for benchmarks), paid broadcasts apart (PTB's own
    1000/s limiter for requests sent with ``allow_paid_broadcast``). With ``REDIS_URL``,
    the bot-wide rate is shared by every replica (:mod:`bot.telegram_limiter`)."""
    from telegram.ext import AIORateLimiter

    rate = free_rate() if overall_max_rate is None else overall_max_rate
    if settings is not None and settings.redis_url and rate:
        from bot.telegram_limiter import SharedRateLimiter

        return SharedRateLimiter(
            settings.redis_url,
            rate=rate,
            prefix=settings.telegram_limiter_prefix,
            max_retries=max_retries,
        )
    return AIORateLimiter(
        overall_max_rate=rate, overall_time_period=1 if rate else 0, max_retries=max_retries
    )


def make_bot(
    settings: Settings,
    *,
    connection_pool_size: int = 16,
    overall_max_rate: float | None = None,
    max_retries: int = 3,
    fast_http: bool = True,
) -> ExtBot[Any]:
    """The bot of ``TELEGRAM_BOT_TOKEN``; ``overall_max_rate`` as in :func:`rate_limiter`.

    ``fast_http`` sends JSON bodies through :class:`LeanRequest`; otherwise PTB's httpx request
    with a small pool and no pool timeout (under load a reply waits for a connection, it is
    not dropped after PTB's default of one second).
    """
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    request: LeanRequest | HTTPXRequest
    if fast_http:
        request = LeanRequest(connection_pool_size)
    else:
        request = HTTPXRequest(connection_pool_size=connection_pool_size, pool_timeout=None)
    return ExtBot(
        settings.telegram_bot_token,
        base_url=settings.telegram_api_url,
        base_file_url=file_url(settings.telegram_api_url),
        request=request,
        # A second polling connection: stopping cancels the long poll, and the final
        # "mark as read" getUpdates must not wait for that cancelled connection's slot.
        get_updates_request=HTTPXRequest(connection_pool_size=2),
        rate_limiter=rate_limiter(overall_max_rate, max_retries=max_retries, settings=settings),
        defaults=Defaults(tzinfo=PARIS, link_preview_options=LinkPreviewOptions(is_disabled=True)),
    )
