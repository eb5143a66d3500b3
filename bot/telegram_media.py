"""Voice notes and photos: downloaded from the Bot API so a counsellor can hear or see them.

``getFile`` gives a ``file_path``; the bytes come from ``{base_file_url}{token}/{file_path}``
(python-telegram-bot's ``File.download_as_bytearray``). Photos come in several sizes: the
largest under :data:`PHOTO_MAX_BYTES` is taken. A download that fails leaves the message as
``UNSUPPORTED`` (the person gets the written-only answer, nothing is lost silently).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from telegram import Bot, Message
from telegram.error import TelegramError

from core.messages import Attachment, Incoming, Kind

log = logging.getLogger(__name__)

VOICE_MAX_BYTES = 20 * 1024 * 1024  # the Bot API serves files up to 20 MB
PHOTO_MAX_BYTES = 5 * 1024 * 1024


async def with_attachment(bot: Bot, message: Message | None, incoming: Incoming) -> Incoming:
    """``incoming`` as MEDIA with the voice note or photo, when it is one and downloads."""
    if message is None or incoming.kind is not Kind.UNSUPPORTED:
        return incoming
    try:
        if incoming.media == "voice" and message.voice is not None:
            voice = message.voice
            if (voice.file_size or 0) > VOICE_MAX_BYTES:
                return incoming
            data = await _download(bot, voice.file_id)
            attachment = Attachment(
                "voice", voice.mime_type or "audio/ogg", data, duration_s=_seconds(voice.duration)
            )
        elif incoming.media == "photo" and message.photo:
            sizes = [p for p in message.photo if (p.file_size or 0) <= PHOTO_MAX_BYTES]
            if not sizes:
                return incoming
            best = max(sizes, key=lambda p: p.width * p.height)
            attachment = Attachment("photo", "image/jpeg", await _download(bot, best.file_id))
        else:
            return incoming
    except (TelegramError, OSError) as exc:
        log.warning("could not download a %s: %s", incoming.media, exc)
        return incoming
    return replace(incoming, kind=Kind.MEDIA, attachment=attachment)


def _seconds(duration: object) -> int | None:
    if isinstance(duration, timedelta):
        return int(duration.total_seconds())
    return int(duration) if isinstance(duration, int | float) else None


async def _download(bot: Bot, file_id: str) -> bytes:
    file = await bot.get_file(file_id)
    return bytes(await file.download_as_bytearray())
