"""A lean HTTP/1.1 keep-alive client for PTB's Bot API calls (opt-in: ``fast_http=True``).

Profiling the adapter showed httpx/httpcore spending about two thirds of the bot's CPU per
update on connection-pool bookkeeping, not on the network. This client sends exactly what
PTB's default sends, as a JSON body (the Bot API accepts ``application/json``; form encoding
cost more CPU than the rest of the request), over a small pool of persistent connections.
Uploads (multipart) go through the fallback (PTB's ``HTTPXRequest``). No proxy support:
production keeps httpx unless CPU per message matters more than proxies.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from urllib.parse import urlsplit

from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

_Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter, float]


def _timeout(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


class LeanRequest(BaseRequest):
    """PTB request backend: persistent HTTP/1.1 connections, JSON POSTs."""

    def __init__(
        self,
        pool_size: int = 16,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = None,
        max_idle_s: float = 30.0,
    ) -> None:
        self._slots = asyncio.Semaphore(pool_size)
        self._idle: dict[tuple[str, str, int], list[_Conn]] = {}
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._max_idle_s = max_idle_s
        self._fallback = HTTPXRequest(connection_pool_size=2, read_timeout=read_timeout)
        self._ssl: ssl.SSLContext | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (PTB adds the long-polling timeout to it)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Prepare the upload fallback."""
        await self._fallback.initialize()

    async def shutdown(self) -> None:
        """Close every idle connection and the fallback."""
        for conns in self._idle.values():
            for _reader, writer, _at in conns:
                writer.close()
        self._idle.clear()
        await self._fallback.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; PTB turns the status and payload into results or errors."""
        if request_data is not None and request_data.contains_files:
            return await self._fallback.do_request(
                url,
                method,
                request_data,
                read_timeout,
                write_timeout,
                connect_timeout,
                pool_timeout,
            )
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "", parts.port or _default_port(parts.scheme))
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        body = _json_body(request_data) if request_data else b""
        head = (
            f"{method} {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
        ).encode()
        timeouts = (
            _timeout(read_timeout, self._read_timeout),
            _timeout(connect_timeout, self._connect_timeout),
        )
        try:
            # Waiting for a free connection is only queueing inside this process: no limit by
            # default (each request holding a slot is bounded by its own timeouts).
            async with asyncio.timeout(_timeout(pool_timeout, self._pool_timeout)):
                await self._slots.acquire()
        except TimeoutError as exc:
            raise TimedOut("Pool timeout: all connections are busy") from exc
        try:
            # Never re-sent on failure (like httpx): a Bot API call is not idempotent.
            return await self._exchange(key, head + body, *timeouts)
        finally:
            self._slots.release()

    async def _exchange(
        self,
        key: tuple[str, str, int],
        request: bytes,
        read_timeout: float | None,
        connect_timeout: float | None,
    ) -> tuple[int, bytes]:
        loop = asyncio.get_running_loop()
        conn = self._take_idle(key, loop.time())
        if conn is None:
            try:
                async with asyncio.timeout(connect_timeout):
                    reader, writer = await asyncio.open_connection(
                        key[1], key[2], ssl=self._context() if key[0] == "https" else None
                    )
            except TimeoutError as exc:
                raise TimedOut("Timed out while connecting") from exc
            except OSError as exc:
                raise NetworkError(f"connection failed: {exc}") from exc
        else:
            reader, writer, _at = conn
        try:
            writer.write(request)
            async with asyncio.timeout(read_timeout):
                line = await reader.readline()
                if not line:
                    raise asyncio.IncompleteReadError(b"", None)
                status, keep_alive, payload = await _read_response(line, reader)
        except TimeoutError as exc:
            writer.close()
            raise TimedOut("Timed out while reading the response") from exc
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            writer.close()
            raise NetworkError(f"connection error: {exc!r}") from exc
        if keep_alive:
            self._idle.setdefault(key, []).append((reader, writer, loop.time()))
        else:
            writer.close()
        return status, payload

    def _take_idle(self, key: tuple[str, str, int], now: float) -> _Conn | None:
        """A live idle connection; ones the server closed (EOF seen) or too old are dropped."""
        conns = self._idle.get(key)
        while conns:
            reader, writer, at = conns.pop()
            if reader.at_eof() or writer.is_closing() or now - at > self._max_idle_s:
                writer.close()
                continue
            return reader, writer, at
        return None

    def _context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = ssl.create_default_context()
        return self._ssl


def _json_body(request_data: RequestData) -> bytes:
    """The parameters as one JSON object (values are already JSON-ready in PTB's data)."""
    return json.dumps(request_data.parameters, ensure_ascii=False, separators=(",", ":")).encode()


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


async def _read_response(
    status_line: bytes, reader: asyncio.StreamReader
) -> tuple[int, bool, bytes]:
    """Status, whether the connection stays open, and the body of an HTTP/1.1 response."""
    parts = status_line.split(b" ", 2)
    status = int(parts[1])
    keep_alive = parts[0] == b"HTTP/1.1"
    length: int | None = None
    chunked = False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        value = value.strip()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
        elif name == b"connection":
            keep_alive = value.lower() == b"keep-alive" or (
                keep_alive and value.lower() != b"close"
            )
    if chunked:
        chunks = []
        while True:
            size = int((await reader.readline()).split(b";")[0].strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            chunks.append(chunk[:-2])
        return status, keep_alive, b"".join(chunks)
    if length is not None:
        return status, keep_alive, await reader.readexactly(length)
    return status, False, await reader.read()
