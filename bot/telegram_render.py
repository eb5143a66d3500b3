"""Channel-neutral :class:`Reply` objects → Bot API calls, within Telegram's limits.

Plain text only (no ``parse_mode``), so nothing a person or a content file writes can break
the formatting. Texts longer than 4096 are split on paragraph, line or word boundaries, the
keyboard riding on the last piece; a button whose callback data would exceed 64 bytes is
logged and dropped rather than sent invalid.

Text messages — nearly every reply — skip PTB's object round trip: the keyboard is built as
Bot API JSON and ``sendMessage`` goes through the bot's ``_post`` (defaults, rate limiter
and error mapping included) without turning Telegram's answer back into a ``Message``. That
halved the adapter's CPU per reply; nothing here reads the sent message.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, InputFile
from telegram._utils.defaultvalue import DEFAULT_NONE

from core.messages import Button, Reply

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


Keyboard = dict[str, list[list[dict[str, str]]]]  # Bot API InlineKeyboardMarkup as JSON


def _button(button: Button) -> dict[str, str] | None:
    if not button.label.strip():
        log.warning("dropping a button without label: %r", button)
        return None
    if button.url:
        if button.url.startswith(("https://", "http://", "tg://")):
            return {"text": button.label, "url": button.url}
        log.warning("dropping button %r: url %r is not http(s)", button.label, button.url)
        return None
    size = len(button.payload.encode())
    if not 1 <= size <= MAX_CALLBACK_DATA:
        log.error("dropping button %r: callback data of %d bytes (1-64)", button.label, size)
        return None
    return {"text": button.label, "callback_data": button.payload}


def keyboard(rows: Sequence[Sequence[Button]]) -> Keyboard | None:
    """An inline keyboard (Bot API JSON) of the valid buttons, or None when none is left."""
    built = [[b for b in map(_button, row) if b is not None] for row in rows]
    kept = [row for row in built if row]
    return {"inline_keyboard": kept} if kept else None


def _markup(markup: Keyboard | None) -> InlineKeyboardMarkup | None:
    """The PTB object, for the rare calls made through PTB's methods (venue, document)."""
    return InlineKeyboardMarkup.de_json(markup, None) if markup else None


Send = Callable[[Keyboard | None], Awaitable[Any]]


def _text_step(bot: Bot, chat_id: int, text: str, thread_id: int | None, paid: bool | None) -> Send:
    def step(markup: Keyboard | None) -> Awaitable[Any]:
        data: dict[str, Any] = {
            "chat_id": chat_id,
            "text": text,
            "link_preview_options": DEFAULT_NONE,  # the Application's Defaults fill it in
        }
        if markup:
            data["reply_markup"] = markup
        if thread_id is not None:
            data["message_thread_id"] = thread_id
        if paid:
            data["allow_paid_broadcast"] = True  # AIORateLimiter reads it: the 1000/s limiter
        return bot._post("sendMessage", data)

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
                reply_markup=_markup(markup),
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
                reply_markup=_markup(markup),
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
    delivered: list[Reply] | None = None,
    paid_broadcast: bool = False,
) -> list[Any]:
    """Send replies in order; errors propagate as PTB errors for the caller to map.

    ``delivered`` receives each reply once all its Bot API calls succeeded, so a caller can
    tell which ones are still owed after a failure.
    """
    sent: list[Any] = []
    paid = True if paid_broadcast else None
    for reply in replies:
        steps = _steps(bot, chat_id, reply, thread_id, paid)
        markup = keyboard(reply.buttons)
        for index, step in enumerate(steps):
            sent.append(await step(markup if index == len(steps) - 1 else None))
        if delivered is not None:
            delivered.append(reply)
    return sent


def toast(replies: Sequence[Reply]) -> str | None:
    """The short notice to show on a pressed button (the first one given), if any."""
    for reply in replies:
        if reply.notice:
            return reply.notice[:MAX_TOAST]
    return None
