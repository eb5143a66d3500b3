"""The web chat's HTTP routes, mounted on the console's server under ``/chat``.

- ``GET /chat``: the standalone page; ``GET /chat/widget.js`` and ``/chat/widget.css``: the
  embeddable widget (launcher + panel) for any allowed page;
- ``POST /chat/api/session``: a token (new or kept) and the transcript; ``/send``, ``/seen``
  and ``/poll`` (long polling, the fallback behind proxies that drop WebSockets);
- ``WS /chat/ws``: the same, live, both ways.

Cross-origin calls are answered with CORS headers for ``WEBCHAT_ALLOWED_ORIGINS`` only; the
token travels in the body or the first WebSocket frame, never in a URL or a cookie.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from pathlib import Path
from typing import Any

from starlette.requests import HTTPConnection, Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from webchat import texts
from webchat.server import WebChatServer

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY = 16_384


class Refused(Exception):
    """A request the visitor gets a kind answer for."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


def own_origin(conn: HTTPConnection) -> str:
    """The chat's own origin as the browser sees it (``ws`` → ``http``)."""
    scheme = {"ws": "http", "wss": "https"}.get(conn.url.scheme, conn.url.scheme)
    return f"{scheme}://{conn.url.netloc}"


def address(conn: HTTPConnection) -> str:
    """The client's network address (uvicorn applies the proxy headers)."""
    return conn.client.host if conn.client else "unknown"


def cors(request: Request, server: WebChatServer) -> dict[str, str]:
    """CORS headers for an allowed other origin; nothing for the others."""
    origin = request.headers.get("origin")
    if (
        origin
        and origin.lower() != own_origin(request).lower()
        and server.origin_allowed(origin, own_origin(request))
    ):
        return {"access-control-allow-origin": origin, "vary": "Origin"}
    return {"vary": "Origin"}


def handle_turn_input(
    server: WebChatServer, visitor: str, data: dict[str, Any], addr: str, locale: str
) -> dict[str, Any]:
    """Check one message (size, limits) and return the turn's arguments."""
    text = data.get("text")
    payload = data.get("button")
    start = data.get("start") is True
    if payload is not None and (not isinstance(payload, str) or not 0 < len(payload) <= 64):
        raise Refused(400, texts.say(locale, texts.EMPTY))
    if not start and payload is None:
        if not isinstance(text, str) or not text.strip():
            raise Refused(400, texts.say(locale, texts.EMPTY))
        if len(text) > server.max_chars:
            raise Refused(413, texts.say(locale, texts.TOO_LONG))
    if not server.per_visitor.allow(visitor) or not server.per_address.allow(addr):
        raise Refused(429, texts.say(locale, texts.TOO_FAST))
    label = data.get("label")
    client_id = data.get("id")
    language = data.get("language")
    return {
        "text": text.strip() if isinstance(text, str) else "",
        "payload": payload or "",
        "label": label if isinstance(label, str) else "",
        "start": start,
        "client_id": client_id[:40] if isinstance(client_id, str) else "",
        "language": language[:16] if isinstance(language, str) else None,
    }


def build_routes(server: WebChatServer) -> list[BaseRoute]:
    """The ``/chat`` routes over one :class:`WebChatServer`."""

    async def json_body(request: Request) -> dict[str, Any]:
        origin = request.headers.get("origin")
        if not server.origin_allowed(origin, own_origin(request)):
            raise Refused(403, texts.say("fr", texts.REFUSED))
        body = await request.body()
        if len(body) > MAX_BODY:
            raise Refused(413, texts.say("fr", texts.TOO_LONG))
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise Refused(400, texts.say("fr", texts.EMPTY))
        return data

    def api(function: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            headers = cors(request, server)
            if request.method == "OPTIONS":
                headers.update(
                    {
                        "access-control-allow-methods": "POST",
                        "access-control-allow-headers": "content-type",
                        "access-control-max-age": "600",
                    }
                )
                return Response(status_code=204, headers=headers)
            try:
                result = await function(request, await json_body(request))
                return JSONResponse(result, headers=headers)
            except Refused as refused:
                return JSONResponse({"error": refused.text}, refused.status, headers=headers)
            except Exception:
                log.exception("web chat request failed")
                return JSONResponse({"error": texts.say("fr", texts.BROKEN)}, 500, headers=headers)

        return endpoint

    def visitor_of(data: dict[str, Any]) -> str:
        visitor = server.tokens.visitor(data.get("token"))
        if visitor is None:
            raise Refused(
                401, texts.say(server.browser_locale(data.get("language")), texts.EXPIRED)
            )
        return visitor

    async def session(request: Request, data: dict[str, Any]) -> dict[str, Any]:
        visitor = server.tokens.visitor(data.get("token"))
        token = data.get("token")
        if visitor is None:
            if not server.new_visitors.allow(address(request)):
                raise Refused(429, texts.say("fr", texts.TOO_FAST))
            visitor, token = server.tokens.issue()
        snapshot = await server.chat.snapshot(visitor)
        locale = await server.locale_for(visitor, data.get("language"))
        return {"token": token, **snapshot, "ui": texts.ui(locale)}

    async def send(request: Request, data: dict[str, Any]) -> dict[str, Any]:
        visitor = visitor_of(data)
        locale = await server.locale_for(visitor, data.get("language"))
        args = handle_turn_input(server, visitor, data, address(request), locale)
        items = await server.chat.turn(visitor, **args)
        locale = await server.locale_for(visitor, data.get("language"))
        return {"items": items, "ui": texts.ui(locale)}

    async def seen(request: Request, data: dict[str, Any]) -> dict[str, Any]:
        visitor = visitor_of(data)
        message_id = data.get("id")
        if isinstance(message_id, int) and message_id > 0:
            await server.chat.mark_seen(visitor, message_id)
        return {"ok": True}

    async def poll(request: Request, data: dict[str, Any]) -> dict[str, Any]:
        visitor = visitor_of(data)
        after = data["after"] if isinstance(data.get("after"), int) else 0
        queue = server.chat.subscribe(visitor)
        try:
            snapshot = await server.chat.snapshot(visitor, after=after)
            if snapshot["items"]:
                return snapshot
            with contextlib.suppress(TimeoutError):
                item = await asyncio.wait_for(queue.get(), server.poll_seconds)
                items = [item] if item is not None else []
                while not queue.empty():
                    extra = queue.get_nowait()
                    if extra is not None:
                        items.append(extra)
                return {**snapshot, "items": items}
            return snapshot
        finally:
            server.chat.unsubscribe(visitor, queue)

    async def socket(websocket: WebSocket) -> None:
        if not server.origin_allowed(websocket.headers.get("origin"), own_origin(websocket)):
            await websocket.close(code=1008)
            return
        await websocket.accept()
        try:
            hello = await asyncio.wait_for(websocket.receive_json(), 10)
            visitor = server.tokens.visitor(hello.get("token") if isinstance(hello, dict) else None)
            if visitor is None:
                await websocket.send_json(
                    {"type": "error", "code": 401, "text": texts.say("fr", texts.EXPIRED)}
                )
                await websocket.close(code=1008)
                return
            await serve_socket(server, websocket, visitor, hello)
        except (WebSocketDisconnect, TimeoutError, ValueError, RuntimeError):
            return

    return [
        Route("/chat", page, methods=["GET"]),
        Route("/chat/widget.js", widget_js, methods=["GET"]),
        Route("/chat/widget.css", widget_css, methods=["GET"]),
        Route("/chat/api/session", api(session), methods=["POST", "OPTIONS"]),
        Route("/chat/api/send", api(send), methods=["POST", "OPTIONS"]),
        Route("/chat/api/seen", api(seen), methods=["POST", "OPTIONS"]),
        Route("/chat/api/poll", api(poll), methods=["POST", "OPTIONS"]),
        WebSocketRoute("/chat/ws", socket),
    ]


async def serve_socket(
    server: WebChatServer, websocket: WebSocket, visitor: str, hello: dict[str, Any]
) -> None:
    """After the hello: push the visitor's new items, run what the visitor sends."""
    queue = server.chat.subscribe(visitor)
    language = hello.get("language")
    after = hello["after"] if isinstance(hello.get("after"), int) else 0
    addr = address(websocket)

    async def pushing() -> None:
        while True:
            item = await queue.get()
            if item is None:
                await websocket.send_json({"type": "reconnect"})
                await websocket.close(code=1012)
                return
            await websocket.send_json({"type": "item", "item": item})

    pusher = asyncio.create_task(pushing())
    try:
        snapshot = await server.chat.snapshot(visitor, after=after)
        await websocket.send_json({"type": "ready", **snapshot})
        while True:
            data = await websocket.receive_json()
            if not isinstance(data, dict):
                continue
            if data.get("type") == "seen" and isinstance(data.get("id"), int):
                await server.chat.mark_seen(visitor, data["id"])
                continue
            locale = await server.locale_for(visitor, language)
            try:
                args = handle_turn_input(server, visitor, data, addr, locale)
                await server.chat.turn(visitor, **args)  # items arrive through the queue
                locale = await server.locale_for(visitor, language)
                await websocket.send_json(
                    {"type": "done", "id": args["client_id"], "ui": texts.ui(locale)}
                )
            except Refused as refused:
                await websocket.send_json(
                    {
                        "type": "error",
                        "code": refused.status,
                        "id": data.get("id"),
                        "text": refused.text,
                    }
                )
    finally:
        pusher.cancel()
        server.chat.unsubscribe(visitor, queue)


async def page(request: Request) -> Response:
    """The standalone chat page (same widget, opened full screen)."""
    return FileResponse(STATIC / "chat.html", media_type="text/html; charset=utf-8")


async def widget_js(request: Request) -> Response:
    """The embeddable script (any page may load it; only allowed origins may talk)."""
    response = FileResponse(STATIC / "widget.js", media_type="text/javascript; charset=utf-8")
    response.headers["access-control-allow-origin"] = "*"
    return response


async def widget_css(request: Request) -> Response:
    """The widget's styles, loaded inside its shadow root."""
    response = FileResponse(STATIC / "widget.css", media_type="text/css; charset=utf-8")
    response.headers["access-control-allow-origin"] = "*"
    return response
