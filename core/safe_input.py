"""Make any text a channel hands us storable and printable, whatever the client sent.

A JSON line or a Telegram update can carry lone UTF-16 surrogates (``"\\ud800"``), which
UTF-8 cannot encode (the database insert and the reply would fail), and NUL characters,
which PostgreSQL refuses in text. They are replaced (surrogates → U+FFFD) or dropped
before the assistant sees the message; valid surrogate pairs become their character.
"""

from __future__ import annotations

from dataclasses import replace

from core.messages import Incoming

MAX_TEXT = 20_000  # far above Telegram's 4,096; a pasted book is cut, not refused


def valid_text(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD and NUL characters removed."""
    if text.isascii():
        return text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text.replace("\x00", "")


def clean_incoming(incoming: Incoming) -> Incoming:
    """The same message with every text field valid (unchanged object when already clean)."""
    fields = {
        "text": valid_text(incoming.text)[:MAX_TEXT],
        "payload": valid_text(incoming.payload),
        "display_name": valid_text(incoming.display_name)[:120],
        "sender_username": valid_text(incoming.sender_username),
        "media": valid_text(incoming.media),
    }
    if all(getattr(incoming, name) == value for name, value in fields.items()):
        return incoming
    return replace(incoming, **fields)  # type: ignore[arg-type]
