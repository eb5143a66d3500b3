"""The staff Telegram group (a forum supergroup): the :class:`core.ports.StaffGroup` port.

Topics are created with ``createForumTopic``; posts go to the topic's thread. The group gets
the application's bot at construction (``bot.telegram_bot.make_bot``); the composition root
builds the relay with it and passes the relay as ``staff_handler`` to ``build_application``.
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

from bot.telegram_render import send_replies
from core.messages import Reply

log = logging.getLogger(__name__)


class TelegramStaffGroup:
    """Create topics and post in them, in the counsellors' forum supergroup."""

    def __init__(self, chat_id: int, bot: Bot) -> None:
        self.chat_id = chat_id
        self.bot = bot

    async def create_topic(self, name: str) -> int:
        """A new topic named after the person; returns its thread id."""
        topic = await self.bot.create_forum_topic(self.chat_id, name[:128])
        return int(topic.message_thread_id)

    async def post(self, thread_id: int, text: str) -> None:
        """Post in the topic; a failure is logged (the console still has everything)."""
        try:
            await send_replies(self.bot, self.chat_id, [Reply(text=text)], thread_id=thread_id)
        except TelegramError as exc:
            log.warning("staff topic %s: post failed: %s", thread_id, exc)

    async def post_media(
        self, thread_id: int, kind: str, data: bytes, mime_type: str, caption: str
    ) -> None:
        """A person's voice note (``sendVoice``) or photo (``sendPhoto``) in their topic."""
        try:
            if kind == "voice":
                await self.bot.send_voice(
                    self.chat_id, data, caption=caption, message_thread_id=thread_id
                )
            else:
                await self.bot.send_photo(
                    self.chat_id, data, caption=caption, message_thread_id=thread_id
                )
        except TelegramError as exc:
            log.warning("staff topic %s: %s failed: %s", thread_id, kind, exc)
