"""A fake Brevo transactional SMS API on 127.0.0.1 (``POST /v3/transactionalSMS/send``).

Shapes from Brevo's public documentation: the request body ``{sender, recipient, content,
type, tag, unicodeEnabled, webUrl}`` with the ``api-key`` header; ``{"messageId": …}`` on
success; ``{"code", "message"}`` on errors. ``fail_next`` queues error answers;
``lose_next`` SMS are sent but answered 500 (Brevo took them, the answer was lost).

``GET /v3/transactionalSMS/statistics/events`` (filters ``tags``, ``phoneNumber``, ``event``,
``limit``, ``offset``, ``days``) answers ``{"events": [{phoneNumber, date, messageId, event,
reason, reply, tag}]}`` as documented (one ``sent`` event per accepted SMS, newest first);
``events_down`` makes it answer 503.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.console.live import free_port

API_KEY = "xkeysib-test-key"


@dataclass
class FakeBrevo:
    sent: list[dict[str, Any]] = field(default_factory=list)
    fail_next: list[tuple[int, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    _ids: Any = field(default_factory=lambda: itertools.count(1511882900176220))
    lose_next: int = 0
    events_down: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)
    event_queries: list[dict[str, str]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v3"

    async def _send(self, request: Request) -> JSONResponse:
        if request.headers.get("api-key") != API_KEY:
            return JSONResponse({"code": "unauthorized", "message": "Key not found"}, 401)
        body = await request.json()
        missing = [k for k in ("sender", "recipient", "content") if not body.get(k)]
        if missing:
            return JSONResponse(
                {"code": "missing_parameter", "message": f"{missing[0]} is missing"}, 400
            )
        if self.fail_next:
            status, payload, headers = self.fail_next.pop(0)
            return JSONResponse(payload, status, headers=headers)
        if not str(body["recipient"]).isdigit():
            return JSONResponse(
                {"code": "invalid_parameter", "message": "Invalid phone number"}, 400
            )
        self.sent.append(body)
        message_id = next(self._ids)
        self.events.append(
            {
                "phoneNumber": str(body["recipient"]),
                "date": "2026-11-24T09:00:00.000Z",
                "messageId": str(message_id),
                "event": "sent",
                "tag": body.get("tag", ""),
            }
        )
        if self.lose_next:
            self.lose_next -= 1
            return JSONResponse({"code": "internal_error", "message": "timeout"}, 500)
        return JSONResponse({"messageId": message_id}, 201)

    async def _events(self, request: Request) -> JSONResponse:
        if request.headers.get("api-key") != API_KEY:
            return JSONResponse({"code": "unauthorized", "message": "Key not found"}, 401)
        query = dict(request.query_params)
        self.event_queries.append(query)
        if self.events_down:
            return JSONResponse({"code": "internal_error", "message": "down"}, 503)
        found = [
            e
            for e in reversed(self.events)
            if ("tags" not in query or e["tag"] in query["tags"].split(","))
            and ("phoneNumber" not in query or e["phoneNumber"] == query["phoneNumber"])
        ]
        offset, limit = int(query.get("offset", 0)), int(query.get("limit", 50))
        return JSONResponse({"events": found[offset : offset + limit]})

    async def __aenter__(self) -> FakeBrevo:
        app = Starlette(
            routes=[
                Route("/v3/transactionalSMS/send", self._send, methods=["POST"]),
                Route("/v3/transactionalSMS/statistics/events", self._events, methods=["GET"]),
            ]
        )
        self._server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self._task = asyncio.create_task(self._server._serve())
        while not self._server.started:  # noqa: ASYNC110
            await asyncio.sleep(0.005)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.should_exit = True
        await self._task


def sms_event(
    status: str,
    message_id: int,
    to: str = "33612345678",
    *,
    reply: str | None = None,
    ts_event: int = 1764064800,
    description: str = "",
) -> dict[str, Any]:
    """A transactional SMS webhook call as Brevo documents it: ``msg_status`` is ``sent``,
    ``delivered``, ``soft_bounce``, ``hard_bounce``, ``replied``…; a reply has its text in
    ``reply``; the number in ``to`` has no "+"."""
    event: dict[str, Any] = {
        "id": 1,
        "to": to,
        "sms_count": 1,
        "credits_used": 1,
        "messageId": message_id,
        "msg_status": status,
        "date": "2026-11-24 12:00:00",
        "ts_event": ts_event,
        "type": "sms",
        "status": "OK",
        "tag": "assistant-20000-emplois",
    }
    if reply is not None:
        event["reply"] = reply
    if description:
        event["description"] = description
    return event
