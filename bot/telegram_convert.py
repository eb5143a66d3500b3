"""Telegram ``Update`` → channel-neutral :class:`Incoming`. The flows never see PTB types."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC

from telegram import Chat, Message, Update

from core.messages import Incoming, Kind

CHANNEL = "telegram"

# Attachments we cannot read yet, most specific first (an animation also carries a document,
# a venue also carries a location).
_MEDIA = (
    "sticker",
    "animation",
    "photo",
    "voice",
    "video_note",
    "video",
    "audio",
    "document",
    "venue",
    "location",
    "contact",
    "poll",
    "dice",
    "game",
    "story",
    "paid_media",
)


def command_line(text: str) -> str:
    """``/start@MyBot CODE`` → ``/start CODE``: the @botname suffix means nothing in private."""
    head, sep, rest = text.partition(" ")
    head = head.split("@", 1)[0]
    return f"{head}{sep}{rest.strip()}" if rest.strip() else head


def _is_command(message: Message) -> bool:
    text = message.text or ""
    if not text.startswith("/") or len(text) < 2:
        return False
    return bool(message.entities) and any(
        e.type == "bot_command" and e.offset == 0 for e in message.entities
    )


def media_of(message: Message) -> str:
    """The kind of attachment a message carries ("sticker", "photo"…), or "" if none."""
    for name in _MEDIA:
        if getattr(message, name, None):
            return name
    return "other" if message.effective_attachment else ""


def to_incoming(update: Update) -> Incoming | None:
    """What the person did, or None for updates that carry nothing to answer."""
    user = update.effective_user
    chat = update.effective_chat
    if chat is None or user is None or user.is_bot:
        return None
    base = Incoming(
        channel=CHANNEL,
        user_ref=str(chat.id),
        kind=Kind.TEXT,
        language_code=user.language_code,
        update_id=update.update_id,
        display_name=user.first_name or "",
        sender_id=user.id,
        sender_username=user.username or "",
    )
    query = update.callback_query
    if query is not None:
        moment = query.message.date.astimezone(UTC) if query.message is not None else None
        return replace(base, kind=Kind.BUTTON, payload=query.data or "", timestamp=moment)
    edited = update.edited_message
    if edited is not None:
        return replace(
            base,
            kind=Kind.EDITED,
            text=edited.text or edited.caption or "",
            media=media_of(edited),
            timestamp=(edited.edit_date or edited.date).astimezone(UTC),
        )
    message = update.message
    if message is None:
        return None
    base = replace(base, timestamp=message.date.astimezone(UTC))
    if message.text is not None:
        if _is_command(message):
            return replace(base, kind=Kind.COMMAND, text=command_line(message.text))
        return replace(base, text=message.text)
    media = media_of(message)
    if not media:
        return None  # a service message (pinned, timer changed…): nothing to answer
    return replace(base, kind=Kind.UNSUPPORTED, text=message.caption or "", media=media)


def is_private(chat: Chat | None) -> bool:
    """Only private chats talk to the assistant; groups are the staff's business."""
    return chat is not None and chat.type == Chat.PRIVATE
