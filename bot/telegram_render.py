"""Channel-neutral :class:`Reply` objects → Bot API calls, within Telegram's limits.

Plain text only (no ``parse_mode``), so nothing a person or a content file writes can break
the formatting. Texts longer than 4096 are split on paragraph, line or word boundaries, the
keyboard riding on the last piece; a button whose callback data would exceed 64 bytes is
logged and dropped rather than sent invalid.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, Sequence

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message

from flows.messages import Button, Reply

# Opt in to PTB's future timedelta durations now (read by PTB at run time): with the legacy
# ints, building a ``RetryAfter`` emits a deprecation warning (an error under ``-W error``).
os.environ.setdefault("PTB_TIMEDELTA", "true")

log = logging.getLogger(__name__)

MAX_TEXT = 4096  # Bot API limit of a message text (counted here in UTF-16 units, stricter)
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes
MAX_TOAST = 200  # answerCallbackQuery text

# Interface strings of the adapter (kept together so the lead's i18n can wrap them).
TEXT_KEYBOARD_ONLY = "Choisissez :"
TEXT_APOLOGY = "Désolé, un problème technique m'empêche de répondre. Réessayez dans un instant."


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut a long text into pieces Telegram accepts, at the most natural boundary available."""
    pieces: list[str] = []
    rest = text.strip()
    while rest:
        if _units(rest) <= limit:
            pieces.append(rest)
            break
        window = rest[:limit]
        while (excess := _units(window) - limit) > 0:
            window = window[: len(window) - max(1, excess // 2)]
        cut = 0
        for boundary in ("\n\n", "\n", " "):
            position = window.rfind(boundary)
            if position > len(window) // 4:
                cut = position
                break
        if cut == 0:
            cut = len(window)
        piece = rest[:cut].rstrip()
        if piece:
            pieces.append(piece)
        rest = rest[cut:].lstrip()
    return pieces


def _button(button: Button) -> InlineKeyboardButton | None:
    if not button.label.strip():
        log.warning("dropping a button without label: %r", button)
        return None
    if button.url:
        if button.url.startswith(("https://", "http://", "tg://")):
            return InlineKeyboardButton(button.label, url=button.url)
        log.warning("dropping button %r: url %r is not http(s)", button.label, button.url)
        return None
    size = len(button.payload.encode())
    if not 1 <= size <= MAX_CALLBACK_DATA:
        log.error("dropping button %r: callback data of %d bytes (1-64)", button.label, size)
        return None
    return InlineKeyboardButton(button.label, callback_data=button.payload)


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    """An inline keyboard of the valid buttons, or None when there is none left."""
    built = [[b for b in map(_button, row) if b is not None] for row in rows]
    kept = [row for row in built if row]
    return InlineKeyboardMarkup(kept) if kept else None


Send = Callable[[InlineKeyboardMarkup | None], Awaitable[Message]]


def _text_step(bot: Bot, chat_id: int, text: str, thread_id: int | None, paid: bool | None) -> Send:
    def step(markup: InlineKeyboardMarkup | None) -> Awaitable[Message]:
        return bot.send_message(
            chat_id,
            text,
            reply_markup=markup,
            message_thread_id=thread_id,
            allow_paid_broadcast=paid,
        )

    return step


def _steps(
    bot: Bot, chat_id: int, reply: Reply, thread_id: int | None, paid: bool | None = None
) -> list[Send]:
    """The Bot API calls for one reply, in order; each takes the keyboard (last one gets it).

    ``paid``: Telegram's paid broadcast (``allow_paid_broadcast``, up to 1000 messages a
    second for a fee in Stars); ``None`` sends nothing (PTB drops ``None`` parameters)."""
    steps: list[Send] = []
    text = reply.text
    document = reply.document
    caption = ""
    if document is not None and document.caption and _units(document.caption) <= MAX_CAPTION:
        caption = document.caption
    elif document is not None and document.caption:
        text = f"{text}\n\n{document.caption}".strip()
    if not text and document is None and reply.venue is None and reply.buttons:
        text = TEXT_KEYBOARD_ONLY
    for piece in split_text(text):
        steps.append(_text_step(bot, chat_id, piece, thread_id, paid))
    if reply.venue is not None:
        venue = reply.venue
        steps.append(
            lambda markup: bot.send_venue(
                chat_id,
                latitude=venue.latitude,
                longitude=venue.longitude,
                title=venue.title,
                address=venue.address,
                reply_markup=markup,
                message_thread_id=thread_id,
                allow_paid_broadcast=paid,
            )
        )
    if document is not None:
        doc = document
        steps.append(
            lambda markup: bot.send_document(
                chat_id,
                InputFile(doc.content, filename=doc.filename),
                caption=caption or None,
                reply_markup=markup,
                message_thread_id=thread_id,
                allow_paid_broadcast=paid,
            )
        )
    return steps


async def send_replies(
    bot: Bot,
    chat_id: int,
    replies: Sequence[Reply],
    *,
    thread_id: int | None = None,
    paid_broadcast: bool = False,
) -> list[Message]:
    """Send replies in order; errors propagate as PTB errors for the caller to map."""
    sent: list[Message] = []
    paid = True if paid_broadcast else None
    for reply in replies:
        steps = _steps(bot, chat_id, reply, thread_id, paid)
        markup = keyboard(reply.buttons)
        for index, step in enumerate(steps):
            sent.append(await step(markup if index == len(steps) - 1 else None))
    return sent


def toast(replies: Sequence[Reply]) -> str | None:
    """The short notice to show on a pressed button (the first one given), if any."""
    for reply in replies:
        if reply.notice:
            return reply.notice[:MAX_TOAST]
    return None
