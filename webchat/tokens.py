"""Visitor ids: random, signed, never derived from anything a visitor could guess.

The browser keeps a token ``<id>.<signature>``; the id (144 random bits) is the visitor's
``user_ref`` on the ``web`` channel. The HMAC signature means a token the server did not
issue is refused before any lookup, so ids cannot be probed; knowing one visitor's id never
gives access to another's conversation, because nothing else identifies a visitor.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ID_BYTES = 18


class Tokens:
    """Issues and checks visitor tokens with one secret."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"webchat-visitor:" + secret.encode()).digest()

    def _sign(self, visitor: str) -> str:
        return hmac.new(self._key, visitor.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self) -> tuple[str, str]:
        """A new visitor: ``(visitor id, token)``."""
        visitor = secrets.token_urlsafe(ID_BYTES)
        return visitor, f"{visitor}.{self._sign(visitor)}"

    def visitor(self, token: object) -> str | None:
        """The visitor id of a valid token, else ``None`` (any bad input)."""
        if not isinstance(token, str) or len(token) > 100 or token.count(".") != 1:
            return None
        visitor, signature = token.split(".")
        if not visitor or not hmac.compare_digest(signature, self._sign(visitor)):
            return None
        return visitor
