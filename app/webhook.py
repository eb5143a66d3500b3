"""The Telegram webhook endpoint, mounted on the console's HTTP server at the URL's path.

``POST <path>`` with ``X-Telegram-Bot-Api-Secret-Token``:
- missing or wrong secret (compared in constant time) → 401, nothing read or stored;
- a body over 1 MB, not JSON, or not an update (an object with an integer ``update_id``)
  → 400;
- otherwise the update is written to the inbox (``store.inbox``) and committed, and only
  then → 200 (a re-delivered ``update_id`` → 200 too, stored once); the database down → 503,
  so that Telegram delivers it again later.
Every other path goes to the console unchanged.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.telegram_inbox import chat_of
from core.clock import utcnow
from store import inbox
from store.db import SessionFactory

log = logging.getLogger(__name__)

MAX_BODY = 1_000_000  # bytes
SECRET_HEADER = "x-telegram-bot-api-secret-token"


def webhook_path(url: str) -> str:
    """The path Telegram will POST to (``/`` when the URL has none)."""
    return urlsplit(url).path or "/"


class TelegramWebhook:
    """The endpoint; ``kick`` wakes the local inbox worker after each new update."""

    def __init__(
        self,
        path: str,
        secret: str,
        sessions: SessionFactory,
        kick: Callable[[], None] | None = None,
    ) -> None:
        self.path = path
        self._secret = secret.encode()
        self.sessions = sessions
        self.kick = kick
        self.received = 0
        self.duplicates = 0

    def mount(self, app: ASGIApp) -> ASGIApp:
        """``app`` with this endpoint in front of it."""

        async def routed(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and scope["path"] == self.path:
                await self.endpoint(scope, receive, send)
            else:
                await app(scope, receive, send)

        return routed

    async def endpoint(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI endpoint."""
        response = await self._answer(Request(scope, receive))
        await response(scope, receive, send)

    async def _answer(self, request: Request) -> Response:
        if request.method != "POST":
            return _plain(405, "POST only", {"Allow": "POST"})
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return _plain(401, "unauthorized")
        body = await _read(request)
        if body is None:
            return _plain(400, "body too large")
        try:
            text = body.decode("utf-8")
            update = json.loads(text)
        except ValueError:  # UnicodeDecodeError and JSONDecodeError included
            return _plain(400, "not JSON")
        update_id = update.get("update_id") if isinstance(update, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id < 0:
            return _plain(400, "not a Telegram update")
        try:
            new = await asyncio.to_thread(self._record, update_id, chat_of(update), text)
        except Exception:
            log.exception("could not record update %s; Telegram will deliver it again", update_id)
            return _plain(503, "try again")
        self.received += 1
        if new:
            if self.kick is not None:
                self.kick()
        else:
            self.duplicates += 1
        return JSONResponse({"ok": True})

    def _record(self, update_id: int, chat_id: int, text: str) -> bool:
        with self.sessions() as session, session.begin():
            return inbox.record(session, update_id, chat_id, text, utcnow())


async def _read(request: Request) -> bytes | None:
    """The body, or None once it exceeds :data:`MAX_BODY` (announced or streamed)."""
    announced = request.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > MAX_BODY:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _plain(status: int, text: str, headers: dict[str, str] | None = None) -> Response:
    return Response(text, status_code=status, media_type="text/plain", headers=headers)
