"""The local chat: talk to the assistant in a terminal, or script it with JSON lines.

Interactive: replies are printed with numbered buttons; type a number to press one.
``--jsonl``: one JSON object per input line (``{"user", "text"}`` or ``{"user", "button"}``),
one JSON object per reply (``{"user", "text", "buttons": [{"label", "payload"}]}``).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.chat_lines import parse_line
from core.messages import Incoming, Kind, Reply
from core.ports import Handler, Renders

CHANNEL = "local"


def incoming_from(user: str, text: str | None, button: str | None, update_id: int) -> Incoming:
    """Build an :class:`Incoming` as a channel would (commands start with "/")."""
    now = datetime.now(UTC)
    if button is not None:
        return Incoming(
            CHANNEL,
            user,
            Kind.BUTTON,
            payload=button,
            timestamp=now,
            update_id=update_id,
            language_code="fr",
        )
    text = text or ""
    kind = Kind.COMMAND if text.startswith("/") else Kind.TEXT
    return Incoming(
        CHANNEL, user, kind, text=text, timestamp=now, update_id=update_id, language_code="fr"
    )


def reply_json(user: str, reply: Reply) -> dict[str, Any]:
    """The JSONL shape of one reply (documents and venues are described in the text)."""
    text = reply.text
    if reply.venue is not None:
        text = (text + "\n" if text else "") + f"📍 {reply.venue.title} — {reply.venue.address}"
    if reply.document is not None:
        text = (text + "\n" if text else "") + f"📎 {reply.document.filename}"
    buttons = [{"label": b.label, "payload": b.payload or b.url} for b in reply.flat_buttons()]
    return {"user": user, "text": text, "buttons": buttons}


class LocalChannel:
    """The channel port for the terminal: writes replies as text with numbered buttons, or as
    JSON lines. It keeps the last buttons shown so that a typed number presses one."""

    name = CHANNEL
    renders = frozenset({Renders.BUTTONS})  # venues and documents are described in the text

    def __init__(self, out: TextIO, *, jsonl: bool = False) -> None:
        self.out = out
        self.jsonl = jsonl
        self.buttons: list[str] = []

    async def start(self) -> None:
        """Nothing to open: stdout is already there."""

    async def stop(self) -> None:
        """Flush what was written."""
        self.out.flush()

    async def send(self, user_ref: str, replies: Sequence[Reply]) -> None:
        """Write the replies; interactive buttons are numbered from 1 for the next line."""
        if not self.jsonl:
            self.buttons = []
        for reply in replies:
            shown = reply_json(user_ref, reply)
            if self.jsonl:
                self.out.write(json.dumps(shown, ensure_ascii=False) + "\n")  # text is clean
                continue
            self.out.write(f"\n{shown['text']}\n")
            for item in shown["buttons"]:
                self.buttons.append(item["payload"])
                self.out.write(f"  [{len(self.buttons)}] {item['label']}\n")
        self.out.flush()


async def run_jsonl(handler: Handler, stdin: TextIO, channel: LocalChannel) -> None:
    """Scripted conversations: a bad line gets an error object, never a traceback."""
    counter = itertools.count(int(datetime.now(UTC).timestamp() * 1000))
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            break
        if not line.strip():
            continue
        parsed = parse_line(line)
        if isinstance(parsed, str):
            channel.out.write(
                json.dumps({"error": f"ligne invalide : {parsed}"}, ensure_ascii=False) + "\n"
            )
            channel.out.flush()
            continue
        user, text, button = parsed
        incoming = incoming_from(user, text, button, next(counter))
        await channel.send(user, await handler.handle(incoming))


async def run_interactive(handler: Handler, stdin: TextIO, channel: LocalChannel) -> None:
    """A human at the terminal: numbers press the buttons of the last replies."""
    counter = itertools.count(int(datetime.now(UTC).timestamp() * 1000))
    loop = asyncio.get_running_loop()
    out = channel.out
    out.write(
        "Assistant 20 000 emplois — chat local. Tapez /start pour commencer, "
        "un numéro pour appuyer sur un bouton, Ctrl-D pour quitter.\n"
    )
    first = True
    while True:
        if first:
            line, first = "/start", False
        else:
            out.write("> ")
            out.flush()
            line = await loop.run_in_executor(None, stdin.readline)
            if not line:
                out.write("\nAu revoir !\n")
                break
        line = line.strip()
        if not line:
            continue
        button = None
        if line.isdigit() and 0 < int(line) <= len(channel.buttons):
            button = channel.buttons[int(line) - 1]
        if button is not None and button.startswith(("http://", "https://")):
            out.write(f"(lien : {button})\n")
            continue
        incoming = incoming_from("local-user", None if button else line, button, next(counter))
        await channel.send("local-user", await handler.handle(incoming))
