"""Channel-neutral message types: what a channel hands to the flows and gets back.

``bot/`` turns a Telegram ``Update`` (or a line typed in the local chat) into an
:class:`Incoming`, and renders :class:`Reply` objects back. Nothing here knows Telegram.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    """What the person sent. Only ``TEXT``, ``BUTTON`` and ``COMMAND`` carry meaning for NLU."""

    TEXT = "text"
    BUTTON = "button"  # a callback query / button payload
    COMMAND = "command"  # "/menu", "/start CODE"…: ``text`` holds the whole command line
    UNSUPPORTED = "unsupported"  # sticker, document, location, contact… (or a failed download)
    MEDIA = "media"  # a voice note or a photo, downloaded: ``attachment`` holds it
    EDITED = "edited"  # an edited message: we answer, we do not re-run the old step


@dataclass(frozen=True, slots=True)
class Attachment:
    """A voice note or a photo a person sent, passed to a counsellor (never read by the bot)."""

    kind: str  # "voice" | "photo"
    mime_type: str  # "audio/ogg", "image/jpeg"
    data: bytes = field(repr=False)
    duration_s: int | None = None  # a voice note's length


@dataclass(frozen=True, slots=True)
class Incoming:
    """One thing a person sent, on any channel."""

    channel: str  # "telegram" | "local"
    user_ref: str  # stable id of the person on that channel (Telegram chat id, "u1"…)
    kind: Kind
    text: str = ""  # free text or command line
    payload: str = ""  # button payload (≤ 64 bytes on Telegram)
    language_code: str | None = None  # the client's language ("fr", "en-GB"…), a default only
    timestamp: datetime | None = None
    update_id: int | None = None  # channel delivery id: a re-delivered update is processed once
    display_name: str = ""  # first name as the channel gives it; never required
    media: str = ""  # for UNSUPPORTED and MEDIA: "sticker", "photo", "voice"…
    attachment: Attachment | None = None  # for MEDIA: the file itself
    # Who wrote, when the channel says so (the staff group: identify the counsellor).
    sender_id: int | None = None
    sender_username: str = ""


@dataclass(frozen=True, slots=True)
class Button:
    """A button: what the person sees, and the payload that comes back when pressed."""

    label: str
    payload: str = ""  # ≤ 64 bytes (Telegram callback_data); empty when ``url`` is set
    url: str = ""  # an external link button ("en savoir plus" on an official site)


@dataclass(frozen=True, slots=True)
class Venue:
    """A place to show on a map (Telegram ``sendVenue``)."""

    latitude: float
    longitude: float
    title: str
    address: str


@dataclass(frozen=True, slots=True)
class Document:
    """A file to send (an .ics invitation, a CSV…)."""

    filename: str
    content: bytes
    mime_type: str
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to send back. ``buttons`` are rows of buttons (an inline keyboard)."""

    text: str = ""
    buttons: tuple[tuple[Button, ...], ...] = ()
    venue: Venue | None = None
    document: Document | None = None
    # Set on replies that also answer a pressed button with a short toast (callback answer).
    notice: str = ""
    meta: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def flat_buttons(self) -> list[Button]:
        """All buttons, row after row (what tests and the JSONL chat print)."""
        return [button for row in self.buttons for button in row]
