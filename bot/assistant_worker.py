"""The child side of :class:`bot.assistant_process.AssistantProcess`: turns in, answers out.

The child is ``python -m app.worker``: it builds its own application context from the
parent's settings and serves turns with :func:`serve_turns`.

Reads frames on stdin — 4-byte big-endian length + pickle of ``(id, Incoming)`` — and writes
``(id, replies, events)`` frames on its own copy of stdout; fd 1 itself is pointed at stderr
first, so a stray ``print`` or log line can never corrupt the stream. Turns run concurrently
(one person's in order, group commit across people) exactly as in the main process. The
settings arrive as JSON in ``ASSISTANT_SETTINGS``; the database is already migrated by the
parent. Stdin closed: the turns in flight finish, then the process exits.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import struct
import sys
from typing import Any, BinaryIO

from capabilities.assistant.assistant import Assistant
from core.messages import Incoming

log = logging.getLogger(__name__)

HEADER = struct.Struct(">I")
ENV = "ASSISTANT_SETTINGS"


def frame(payload: Any) -> bytes:
    """One length-prefixed pickle frame."""
    body = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(body)) + body


async def read_frame(reader: asyncio.StreamReader) -> Any:
    """The next frame's object; ``asyncio.IncompleteReadError`` at the end of the stream."""
    (size,) = HEADER.unpack(await reader.readexactly(HEADER.size))
    return pickle.loads(await reader.readexactly(size))  # a private pipe to our own process


async def serve_turns(assistant: Assistant, out: BinaryIO) -> None:
    """Answer the frames read on stdin until it closes; write the answers to ``out``."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2**24)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin.buffer)

    def send(payload: Any) -> None:
        out.write(frame(payload))
        out.flush()

    async def one(ident: int, incoming: Incoming) -> None:
        try:
            replies, events = await assistant.answer(incoming)  # apologises on its own errors
        except Exception:  # a bug here must still answer the parent, or its caller waits
            log.exception("turn %s failed in the assistant process", ident)
            send((ident, None, None))
            return
        send((ident, replies, events))

    send((0, "ready", None))
    running: set[asyncio.Task[None]] = set()
    while True:
        try:
            ident, incoming = await read_frame(reader)
        except asyncio.IncompleteReadError:
            break
        task = asyncio.create_task(one(ident, incoming))
        running.add(task)
        task.add_done_callback(running.discard)
    if running:
        await asyncio.gather(*running)
