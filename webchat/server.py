"""What the web chat's routes share: the channel, the visitor tokens, limits and origins."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

from core.i18n import resolve_locale
from core.settings import Settings
from webchat.hub import WebChat
from webchat.limits import RateLimit
from webchat.tokens import Tokens

log = logging.getLogger(__name__)


def parse_origins(value: str) -> frozenset[str]:
    """``WEBCHAT_ALLOWED_ORIGINS``: comma-separated origins, without a trailing slash."""
    return frozenset(o.strip().rstrip("/").lower() for o in value.split(",") if o.strip())


@dataclass
class WebChatServer:
    """The channel and the rules of the open web around it."""

    chat: WebChat
    tokens: Tokens
    allowed_origins: frozenset[str] = frozenset()
    max_chars: int = 1000
    per_visitor: RateLimit = field(default_factory=lambda: RateLimit(30))
    per_address: RateLimit = field(default_factory=lambda: RateLimit(120))
    new_visitors: RateLimit = field(default_factory=lambda: RateLimit(20, 600))
    poll_seconds: float = 25.0

    @classmethod
    def from_settings(cls, chat: WebChat, settings: Settings) -> WebChatServer:
        """Read ``WEBCHAT_*`` (the secret defaults to the console's, else a random one)."""
        secret = settings.webchat_secret_key or settings.console_secret_key
        if not secret:
            log.warning(
                "WEBCHAT_SECRET_KEY absent : clé aléatoire (les visiteurs du chat web "
                "perdront leur conversation au redémarrage)"
            )
            secret = secrets.token_urlsafe(32)
        return cls(
            chat=chat,
            tokens=Tokens(secret),
            allowed_origins=parse_origins(settings.webchat_allowed_origins),
            max_chars=settings.webchat_max_chars,
            per_visitor=RateLimit(settings.webchat_visitor_per_minute),
            per_address=RateLimit(settings.webchat_address_per_minute),
        )

    def origin_allowed(self, origin: str | None, own: str) -> bool:
        """No ``Origin`` (not a browser page), our own origin, or a configured one."""
        if origin is None:
            return True
        origin = origin.rstrip("/").lower()
        return origin == own.lower() or origin in self.allowed_origins

    @staticmethod
    def browser_locale(language: Any) -> str:
        """The browser's language when we know nothing of the person."""
        return resolve_locale(None, language if isinstance(language, str) else None)

    async def locale_for(self, visitor: str | None, language: Any) -> str:
        """The person's chosen language, else the browser's."""
        chosen = await self.chat.locale(visitor) if visitor else None
        return resolve_locale(chosen, language if isinstance(language, str) else None)
