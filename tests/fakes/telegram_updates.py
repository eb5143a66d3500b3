"""Builders of Bot API update JSON, in the shapes Telegram really sends (see tests/fixtures/)."""

from __future__ import annotations

import time
from typing import Any

JSON = dict[str, Any]

BOT_USER: JSON = {
    "id": 5000000001,
    "is_bot": True,
    "first_name": "Assistant 20 000 emplois",
    "username": "Assistant20000Bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
    "can_connect_to_business": False,
    "has_main_web_app": False,
}


def user(
    user_id: int,
    first_name: str = "Camille",
    language_code: str | None = "fr",
    username: str | None = None,
) -> JSON:
    """A Telegram user (the person writing to the bot, or a counsellor in the staff group)."""
    data: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
    if language_code is not None:
        data["language_code"] = language_code
    if username is not None:
        data["username"] = username
    return data


def private_chat(chat_id: int, first_name: str = "Camille") -> JSON:
    """A private chat: its id is the user's id."""
    return {"id": chat_id, "type": "private", "first_name": first_name}


def supergroup_chat(chat_id: int, title: str = "Conseillers", forum: bool = True) -> JSON:
    """A (forum) supergroup, like the counsellors' staff group."""
    return {"id": chat_id, "type": "supergroup", "title": title, "is_forum": forum}


def message(
    message_id: int,
    chat: JSON,
    sender: JSON,
    *,
    text: str | None = None,
    date: int | None = None,
    **extra: Any,
) -> JSON:
    """A message; ``/commands`` get their ``bot_command`` entity like real clients send."""
    data: JSON = {
        "message_id": message_id,
        "from": sender,
        "chat": chat,
        "date": int(time.time()) if date is None else date,
    }
    if text is not None:
        data["text"] = text
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            data["entities"] = [
                {
                    "offset": 0,
                    "length": len(command.encode("utf-16-le", "surrogatepass")) // 2,
                    "type": "bot_command",
                }
            ]
    data.update(extra)
    return data


def sticker() -> JSON:
    """A sticker attachment."""
    return {
        "sticker": {
            "file_id": "CAACAgIAAxkBAAEBsticker",
            "file_unique_id": "AgADsticker",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
            "set_name": "HotCherry",
        }
    }


def photo(caption: str | None = None) -> JSON:
    """A photo (several sizes) with an optional caption."""
    data: JSON = {
        "photo": [
            {
                "file_id": f"AgACAgQAAxkBphoto{size}",
                "file_unique_id": f"AQADphoto{size}",
                "file_size": size * 40,
                "width": size,
                "height": size * 3 // 4,
            }
            for size in (90, 320, 800)
        ]
    }
    if caption:
        data["caption"] = caption
    return data


def voice() -> JSON:
    """A voice note."""
    return {
        "voice": {
            "duration": 4,
            "mime_type": "audio/ogg",
            "file_id": "AwACAgQAAxkBvoice",
            "file_unique_id": "AgADvoice",
            "file_size": 15000,
        }
    }


def document(file_name: str = "cv.pdf") -> JSON:
    """A document (a CV sent as PDF, typically)."""
    return {
        "document": {
            "file_name": file_name,
            "mime_type": "application/pdf",
            "file_id": "BQACAgQAAxkBdocument",
            "file_unique_id": "AgADdocument",
            "file_size": 81234,
        }
    }


def location(latitude: float = 51.0344, longitude: float = 2.3768) -> JSON:
    """A shared location (Dunkerque by default)."""
    return {"location": {"latitude": latitude, "longitude": longitude}}


def contact(phone: str = "+33600000000", first_name: str = "Dominique") -> JSON:
    """A shared contact card."""
    return {"contact": {"phone_number": phone, "first_name": first_name, "user_id": 4242}}


def callback_query(
    query_id: str, sender: JSON, chat: JSON, message_id: int, data: str, *, date: int | None = None
) -> JSON:
    """A pressed inline button on a message the bot sent earlier."""
    return {
        "id": query_id,
        "from": sender,
        "chat_instance": f"-{abs(int(chat['id'])) % 10**12}",
        "data": data,
        "message": {
            "message_id": message_id,
            "from": BOT_USER,
            "chat": chat,
            "date": int(time.time()) if date is None else date,
            "text": "…",
        },
    }
