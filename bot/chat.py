"""The local chat: talk to the assistant in a terminal, or script it with JSON lines.

Interactive: replies are printed with numbered buttons; type a number to press one.
``--jsonl``: one JSON object per input line (``{"user", "text"}`` or ``{"user", "button"}``),
one JSON object per reply (``{"user", "text", "buttons": [{"label", "payload"}]}``).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from capabilities.conversation.assistant import Assistant
from core.messages import Incoming, Kind, Reply

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


async def run_jsonl(assistant: Assistant, stdin: TextIO, stdout: TextIO) -> None:
    """Scripted conversations: a bad line gets an error object, never a traceback."""
    counter = itertools.count(int(datetime.now(UTC).timestamp() * 1000))
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            break
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            user = str(item["user"])
            text, button = item.get("text"), item.get("button")
            if text is None and button is None:
                raise ValueError("text or button is required")
        except (ValueError, KeyError, TypeError) as exc:
            stdout.write(
                json.dumps({"error": f"ligne invalide : {exc}"}, ensure_ascii=False) + "\n"
            )
            stdout.flush()
            continue
        incoming = incoming_from(user, text, button, next(counter))
        for reply in await assistant.handle(incoming):
            stdout.write(json.dumps(reply_json(user, reply), ensure_ascii=False) + "\n")
        stdout.flush()


async def run_interactive(assistant: Assistant, stdin: TextIO, stdout: TextIO) -> None:
    """A human at the terminal: numbers press the buttons of the last replies."""
    counter = itertools.count(int(datetime.now(UTC).timestamp() * 1000))
    loop = asyncio.get_running_loop()
    buttons: list[str] = []
    stdout.write(
        "Assistant 20 000 emplois — chat local. Tapez /start pour commencer, "
        "un numéro pour appuyer sur un bouton, Ctrl-D pour quitter.\n"
    )
    first = True
    while True:
        if first:
            line, first = "/start", False
        else:
            stdout.write("> ")
            stdout.flush()
            line = await loop.run_in_executor(None, stdin.readline)
            if not line:
                stdout.write("\nAu revoir !\n")
                break
        line = line.strip()
        if not line:
            continue
        button = None
        if line.isdigit() and 0 < int(line) <= len(buttons):
            button = buttons[int(line) - 1]
        if button is not None and button.startswith(("http://", "https://")):
            stdout.write(f"(lien : {button})\n")
            continue
        incoming = incoming_from("local-user", None if button else line, button, next(counter))
        buttons = []
        for reply in await assistant.handle(incoming):
            shown = reply_json("local-user", reply)
            stdout.write(f"\n{shown['text']}\n")
            for item in shown["buttons"]:
                buttons.append(item["payload"])
                stdout.write(f"  [{len(buttons)}] {item['label']}\n")
        stdout.flush()


def main(jsonl: bool) -> None:
    """Build the assistant on the configured database and chat on stdin/stdout."""
    from app.build import build_assistant

    async def go() -> None:
        assistant = build_assistant()
        try:
            if jsonl:
                await run_jsonl(assistant, sys.stdin, sys.stdout)
            else:
                await run_interactive(assistant, sys.stdin, sys.stdout)
        finally:
            await assistant.aclose()

    try:
        asyncio.run(go())
    except KeyboardInterrupt:
        sys.stdout.write("\nAu revoir !\n")
