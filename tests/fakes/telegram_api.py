"""A fake Telegram Bot API server on 127.0.0.1, for end-to-end tests and the benchmark.

The real python-telegram-bot ``Application`` talks HTTP to it through ``base_url``. It is a
small HTTP/1.1 server with keep-alive on plain asyncio streams (no framework: it must stay
well above 1,000 requests/s). Everything the bot calls is recorded with the monotonic time
it was received, and tests can ``await fake.wait_for("sendMessage", count=2)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import itertools
import json
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

from tests.fakes import telegram_updates as tg

JSON = dict[str, Any]

TOKEN = "123456:TEST-token_for-the-fake-api"

# Form fields that carry JSON (PTB sends every parameter as a form field).
_JSON_FIELDS = {
    "reply_markup",
    "commands",
    "allowed_updates",
    "entities",
    "caption_entities",
    "link_preview_options",
    "reply_parameters",
    "scope",
    "media",
    "disable_notification",
    "show_alert",
    "drop_pending_updates",
    "protect_content",
}
_INT_FIELDS = {
    "max_connections",
    "chat_id",
    "from_chat_id",
    "message_id",
    "offset",
    "limit",
    "timeout",
    "message_thread_id",
    "cache_time",
}
_FLOAT_FIELDS = {"latitude", "longitude"}

_FAILURES: dict[str, tuple[int, str]] = {
    "retry_after": (429, "Too Many Requests: retry after {retry_after}"),
    "blocked": (403, "Forbidden: bot was blocked by the user"),
    "not_modified": (
        400,
        "Bad Request: message is not modified: specified new message content and reply "
        "markup are exactly the same as a current content and reply markup of the message",
    ),
    "server_error": (500, "Internal Server Error"),
    "bad_gateway": (502, "Bad Gateway"),
}


@dataclass(frozen=True, slots=True)
class Call:
    """One Bot API call the bot made: method, decoded parameters, files, arrival time."""

    method: str
    params: JSON
    at: float
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)


@dataclass(slots=True)
class _Failure:
    kind: str
    times: int
    retry_after: int


@dataclass(slots=True)
class _Queued:
    update: JSON
    served_at: float | None = None


class FakeTelegramApi:
    """In-process fake Bot API: queue updates, record calls, inject failures."""

    def __init__(self, token: str = TOKEN, host: str = "127.0.0.1", port: int = 0) -> None:
        self.token = token
        self.host = host
        self.port = port
        self.calls: list[Call] = []
        self.served: list[tuple[int, float]] = []  # (update_id, served at), in serving order
        self._queue: deque[_Queued] = deque()
        self._update_ids = itertools.count(100_000)
        self._message_ids = itertools.count(1_000)
        self._query_ids = itertools.count(1)
        self._thread_ids = itertools.count(50)
        self._new_updates = asyncio.Event()
        self._new_call = asyncio.Event()
        self._failures: dict[str, deque[_Failure]] = {}
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._busy: set[asyncio.StreamWriter] = set()
        self.last_update: JSON | None = None
        # Downloadable files by file_id (getFile + GET /file/bot<token>/<file_path>).
        self.files: dict[str, bytes] = {}
        self.webhook: JSON | None = None  # the last setWebhook's parameters, until deleted

    # ------------------------------------------------------------------ lifecycle
    @property
    def base_url(self) -> str:
        """What PTB's ``base_url`` (TELEGRAM_API_URL) must be to reach this server."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """PTB's ``base_file_url`` for this server."""
        return f"http://{self.host}:{self.port}/file/bot"

    async def start(self) -> None:
        """Listen on a free loopback port."""
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close the listener and every open connection."""
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> FakeTelegramApi:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ updates in
    def push_raw(self, update: JSON, *, keep_id: bool = False) -> JSON:
        """Queue an update as JSON (a recorded fixture); renumbered unless ``keep_id``."""
        update = dict(update)
        if not keep_id or "update_id" not in update:
            update["update_id"] = next(self._update_ids)
        self._queue.append(_Queued(update))
        self.last_update = update
        self._new_updates.set()
        return update

    def push_duplicate(self, update: JSON | None = None) -> JSON:
        """Deliver an update again with the same update_id (what Telegram does after a crash)."""
        update = update or self.last_update
        assert update is not None, "nothing was pushed yet"
        return self.push_raw(update, keep_id=True)

    def push_message(
        self,
        chat_id: int,
        *,
        first_name: str = "Camille",
        language_code: str | None = "fr",
        edited: bool = False,
        chat: JSON | None = None,
        text: str | None = None,
        sender: JSON | None = None,
        **content: Any,
    ) -> JSON:
        """Queue a message (or an edited one) from a person in a private chat by default.

        In a group, ``sender`` is who writes (``tg.user(…)``); by default the chat's id."""
        sender = sender or tg.user(abs(chat_id), first_name, language_code)
        chat = chat or tg.private_chat(chat_id, first_name)
        msg = tg.message(next(self._message_ids), chat, sender, text=text, **content)
        if edited:
            msg["edit_date"] = msg["date"] + 5
            return self.push_raw({"edited_message": msg})
        return self.push_raw({"message": msg})

    def push_text(self, chat_id: int, text: str, **kwargs: Any) -> JSON:
        """Queue a plain text message."""
        return self.push_message(chat_id, text=text, **kwargs)

    def push_command(self, chat_id: int, command: str, **kwargs: Any) -> JSON:
        """Queue a command line such as ``/start CODE`` (with its bot_command entity)."""
        if not command.startswith("/"):
            command = "/" + command
        return self.push_message(chat_id, text=command, **kwargs)

    def push_edited(self, chat_id: int, text: str, **kwargs: Any) -> JSON:
        """Queue an edited message."""
        return self.push_message(chat_id, text=text, edited=True, **kwargs)

    def push_callback(
        self,
        chat_id: int,
        data: str,
        message_id: int = 1,
        *,
        first_name: str = "Camille",
        language_code: str | None = "fr",
    ) -> JSON:
        """Queue a button press on the bot message ``message_id``."""
        sender = tg.user(abs(chat_id), first_name, language_code)
        query = tg.callback_query(
            str(next(self._query_ids)),
            sender,
            tg.private_chat(chat_id, first_name),
            message_id,
            data,
        )
        return self.push_raw({"callback_query": query})

    def push_sticker(self, chat_id: int, **kwargs: Any) -> JSON:
        """Queue a sticker."""
        return self.push_message(chat_id, **tg.sticker(), **kwargs)

    def push_photo(self, chat_id: int, caption: str | None = None, **kwargs: Any) -> JSON:
        """Queue a photo."""
        return self.push_message(chat_id, **tg.photo(caption), **kwargs)

    def push_voice(self, chat_id: int, **kwargs: Any) -> JSON:
        """Queue a voice note."""
        return self.push_message(chat_id, **tg.voice(), **kwargs)

    def push_document(self, chat_id: int, **kwargs: Any) -> JSON:
        """Queue a document."""
        return self.push_message(chat_id, **tg.document(), **kwargs)

    def push_location(self, chat_id: int, **kwargs: Any) -> JSON:
        """Queue a shared location."""
        return self.push_message(chat_id, **tg.location(), **kwargs)

    def push_contact(self, chat_id: int, **kwargs: Any) -> JSON:
        """Queue a shared contact."""
        return self.push_message(chat_id, **tg.contact(), **kwargs)

    @property
    def pending(self) -> int:
        """Updates not yet confirmed by the bot (served or not)."""
        return len(self._queue)

    # ------------------------------------------------------------------ failures
    def fail(self, method: str, kind: str, times: int = 1, retry_after: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` fail.

        ``kind`` is one of retry_after (429), blocked (403), not_modified (400),
        server_error (500), bad_gateway (502) or close (connection closed, no answer).
        """
        if kind not in _FAILURES and kind != "close":
            raise ValueError(f"unknown failure {kind!r}")
        self._failures.setdefault(method, deque()).append(_Failure(kind, times, retry_after))

    def _take_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.popleft()
        return failure

    def close_idle_connections(self) -> int:
        """Close every keep-alive connection not inside a request (what servers do when idle)."""
        idle = [w for w in self._writers if w not in self._busy]
        for writer in idle:
            writer.close()
        return len(idle)

    # ------------------------------------------------------------------ calls out
    def calls_of(self, method: str) -> list[Call]:
        """The recorded calls of one method, in arrival order."""
        return [call for call in self.calls if call.method == method]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        """The texts of every sendMessage (to one chat if given)."""
        return [
            str(call.params.get("text", ""))
            for call in self.calls_of("sendMessage")
            if chat_id is None or call.params.get("chat_id") == chat_id
        ]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:  # noqa: ASYNC109
        """Wait until ``method`` was called at least ``count`` times; return those calls."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls_of(method)
            if len(found) >= count:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = [c.method for c in self.calls if c.method != "getUpdates"]
                raise TimeoutError(
                    f"{method} called {len(found)} time(s), wanted {count}; calls: {seen}"
                )
            self._new_call.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_call.wait(), remaining)

    async def wait_for_text(
        self,
        chat_id: int,
        fragment: str,
        *,
        since: int = 0,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[Call]:
        """Wait for a message to ``chat_id`` containing ``fragment``, sent after call ``since``.

        Returns the messages to that chat from ``since`` up to the matching one.
        """
        deadline = time.monotonic() + timeout
        while True:
            found = [
                c
                for c in self.calls[since:]
                if c.method == "sendMessage" and c.params.get("chat_id") == chat_id
            ]
            for index, call in enumerate(found):
                if fragment in str(call.params.get("text", "")):
                    return found[: index + 1]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                texts = [c.params.get("text") for c in found]
                raise TimeoutError(f"no message with {fragment!r} to {chat_id}; got {texts}")
            self._new_call.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_call.wait(), remaining)

    async def wait_idle(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until every queued update was confirmed (the bot asked for the next offset)."""
        deadline = time.monotonic() + timeout
        while self._queue:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self._queue)} update(s) still pending")
            self._new_call.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_call.wait(), deadline - time.monotonic())

    # ------------------------------------------------------------------ HTTP
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                self._busy.add(writer)
                lines = head.decode("latin-1").split("\r\n")
                _verb, target, _version = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                body = await self._read_body(reader, headers)
                download = self._download(target)
                if download is not None:
                    status, content = download
                    writer.write(
                        b"HTTP/1.1 %d X\r\nContent-Type: application/octet-stream\r\n"
                        b"Content-Length: %d\r\n\r\n%s" % (status, len(content), content)
                    )
                    await writer.drain()
                    self._busy.discard(writer)
                    continue
                status, payload = await self._dispatch(target, headers, body)
                if status == 0:  # injected failure: drop the connection without answering
                    return
                data = json.dumps(payload, ensure_ascii=False).encode()
                writer.write(
                    b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (status, len(data), data)
                )
                await writer.drain()
                self._busy.discard(writer)
                if headers.get("connection", "").lower() == "close":
                    return
        except (ConnectionError, asyncio.CancelledError):
            return
        finally:
            self._writers.discard(writer)
            self._busy.discard(writer)
            writer.close()

    @staticmethod
    async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
        if "content-length" in headers:
            return await reader.readexactly(int(headers["content-length"]))
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).strip(), 16)
                chunk = await reader.readexactly(size + 2)
                if size == 0:
                    return b"".join(chunks)
                chunks.append(chunk[:-2])
        return b""

    def _download(self, target: str) -> tuple[int, bytes] | None:
        """``GET {base_file_url}{token}/{file_path}``: the file's bytes (the Bot API's way)."""
        path = unquote(target.split("?", 1)[0])
        prefix = f"/file/bot{self.token}/"
        if not path.startswith("/file/"):
            return None
        file_path = path[len(prefix) :] if path.startswith(prefix) else ""
        self.calls.append(Call("download", {"file_path": file_path}, time.monotonic()))
        self._new_call.set()
        file_id = file_path.rpartition("/")[2].rpartition(".")[0]
        if file_id in self.files:
            return 200, self.files[file_id]
        return 404, b"Not Found"

    async def _dispatch(self, target: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        path = target.split("?", 1)[0]
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = path[len(prefix) :]
        params, files = _decode(headers.get("content-type", ""), body)
        call = Call(method, params, time.monotonic(), files)
        self.calls.append(call)
        self._new_call.set()
        failure = self._take_failure(method)
        if failure is not None:
            if failure.kind == "close":
                return 0, None
            code, description = _FAILURES[failure.kind]
            answer: JSON = {
                "ok": False,
                "error_code": code,
                "description": description.format(retry_after=failure.retry_after),
            }
            if failure.kind == "retry_after":
                answer["parameters"] = {"retry_after": failure.retry_after}
            return code, answer
        if method == "getUpdates" and self.webhook is not None:
            description = "Conflict: can't use getUpdates method while webhook is active"
            return 409, {"ok": False, "error_code": 409, "description": description}
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        if method == "getFile" and str(params.get("file_id")) not in self.files:
            return 400, {"ok": False, "error_code": 400, "description": _NO_FILE}
        result = await handler(params) if method == "getUpdates" else handler(params)
        return 200, {"ok": True, "result": result}

    # ------------------------------------------------------------------ methods
    async def _api_getUpdates(self, params: JSON) -> list[JSON]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        # Confirming: everything already served with an id below the offset is gone.
        while self._queue and self._queue[0].served_at is not None:
            if int(self._queue[0].update["update_id"]) >= offset:
                break
            self._queue.popleft()
        self._new_call.set()  # wait_idle watches confirmations
        if not self._queue and timeout > 0:
            self._new_updates.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_updates.wait(), timeout)
        batch = list(itertools.islice(self._queue, limit))
        now = time.monotonic()
        for queued in batch:
            if queued.served_at is None:
                queued.served_at = now
                self.served.append((int(queued.update["update_id"]), now))
        return [queued.update for queued in batch]

    def _api_getMe(self, params: JSON) -> JSON:
        return tg.BOT_USER

    def _api_setWebhook(self, params: JSON) -> bool:
        self.webhook = dict(params)
        return True

    def _api_deleteWebhook(self, params: JSON) -> bool:
        self.webhook = None
        return True

    def _api_getWebhookInfo(self, params: JSON) -> JSON:
        info: JSON = {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": self.pending,
        }
        if self.webhook is not None:
            info["max_connections"] = self.webhook.get("max_connections", 40)
            info["allowed_updates"] = self.webhook.get("allowed_updates")
        return info

    def _api_setMyCommands(self, params: JSON) -> bool:
        return True

    def _api_sendChatAction(self, params: JSON) -> bool:
        return True

    def _api_answerCallbackQuery(self, params: JSON) -> bool:
        return True

    def _api_closeForumTopic(self, params: JSON) -> bool:
        return True

    def _message(self, params: JSON, **content: Any) -> JSON:
        chat_id = int(params["chat_id"])
        chat = tg.private_chat(chat_id) if chat_id > 0 else tg.supergroup_chat(chat_id, forum=True)
        msg: JSON = {
            "message_id": next(self._message_ids),
            "from": tg.BOT_USER,
            "chat": chat,
            "date": int(time.time()),
        }
        if "message_thread_id" in params:
            msg["message_thread_id"] = params["message_thread_id"]
            msg["is_topic_message"] = True
        if isinstance(params.get("reply_markup"), dict):
            msg["reply_markup"] = params["reply_markup"]
        msg.update(content)
        return msg

    def _api_sendMessage(self, params: JSON) -> JSON:
        return self._message(params, text=params.get("text", ""))

    def _api_editMessageText(self, params: JSON) -> JSON:
        return self._message(params, text=params.get("text", ""), edit_date=int(time.time()))

    def _api_editMessageReplyMarkup(self, params: JSON) -> JSON:
        return self._message(params, text="…", edit_date=int(time.time()))

    def _api_sendVenue(self, params: JSON) -> JSON:
        location = {"latitude": params["latitude"], "longitude": params["longitude"]}
        venue = {"location": location, "title": params["title"], "address": params["address"]}
        return self._message(params, venue=venue, location=location)

    def _api_sendLocation(self, params: JSON) -> JSON:
        location = {"latitude": params["latitude"], "longitude": params["longitude"]}
        return self._message(params, location=location)

    def _api_sendDocument(self, params: JSON) -> JSON:
        document = {
            "file_id": f"BQACAgQAAxkBsent{next(self._message_ids)}",
            "file_unique_id": "AgADsent",
            "file_name": str(params.get("document", "document")),
        }
        extra = {"caption": params["caption"]} if params.get("caption") else {}
        return self._message(params, document=document, **extra)

    def _api_getFile(self, params: JSON) -> JSON:
        """A File object: ``file_path`` is where to download it (valid for an hour)."""
        file_id = str(params["file_id"])
        folder = "voice" if "voice" in file_id else "photos"
        return {
            "file_id": file_id,
            "file_unique_id": f"uq{file_id[-8:]}",
            "file_size": len(self.files[file_id]),
            "file_path": f"{folder}/{file_id}.{'oga' if folder == 'voice' else 'jpg'}",
        }

    def _api_sendVoice(self, params: JSON) -> JSON:
        voice = {"file_id": f"AwACsent{next(self._message_ids)}", "file_unique_id": "sentv"}
        voice["duration"] = int(params.get("duration") or 0)
        extra = {"caption": params["caption"]} if params.get("caption") else {}
        return self._message(params, voice=voice, **extra)

    def _api_sendPhoto(self, params: JSON) -> JSON:
        photo = [{"file_id": "AgACsent", "file_unique_id": "sentp", "width": 1, "height": 1}]
        extra = {"caption": params["caption"]} if params.get("caption") else {}
        return self._message(params, photo=photo, **extra)

    def _api_createForumTopic(self, params: JSON) -> JSON:
        return {
            "message_thread_id": next(self._thread_ids),
            "name": params.get("name", ""),
            "icon_color": 7322096,
        }

    def _api_forwardMessage(self, params: JSON) -> JSON:
        return self._message(params, text="(transféré)")

    def _api_copyMessage(self, params: JSON) -> JSON:
        return {"message_id": next(self._message_ids)}


_NO_FILE = "Bad Request: invalid file_id"


def _decode(content_type: str, body: bytes) -> tuple[JSON, dict[str, tuple[str, bytes]]]:
    """Decode PTB's form or multipart body into typed parameters and files."""
    raw: list[tuple[str, str]] = []
    files: dict[str, tuple[str, bytes]] = {}
    if content_type.startswith("multipart/form-data"):
        parser = email.parser.BytesParser(policy=email.policy.HTTP)
        message = parser.parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            data = part.get_payload(decode=True)
            assert isinstance(name, str)
            assert isinstance(data, bytes)
            if filename:
                files[name] = (filename, data)
                raw.append((name, filename))
            else:
                raw.append((name, data.decode()))
    elif content_type.startswith("application/json"):
        return json.loads(body or b"{}"), files
    elif body:
        raw = parse_qsl(body.decode(), keep_blank_values=True)
    params = {name: _typed(name, value) for name, value in raw}
    for name, value in params.items():  # "attach://<part>" points at another part
        if isinstance(value, str) and value.startswith("attach://"):
            files[name] = files.pop(value.removeprefix("attach://"))
    return params, files


def _typed(name: str, value: str) -> Any:
    if name in _JSON_FIELDS:
        with contextlib.suppress(ValueError):
            return json.loads(value)
    if name in _INT_FIELDS:
        with contextlib.suppress(ValueError):
            return int(value)
    if name in _FLOAT_FIELDS:
        with contextlib.suppress(ValueError):
            return float(value)
    return value


def keyboard_payloads(call: Call) -> list[str]:
    """The callback_data of every inline button of a recorded call (URL buttons give their url)."""
    markup = call.params.get("reply_markup") or {}
    rows: Iterable[list[JSON]] = markup.get("inline_keyboard", [])
    return [str(b.get("callback_data", b.get("url", ""))) for row in rows for b in row]
