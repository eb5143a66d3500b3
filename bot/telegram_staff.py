"""The staff Telegram group (a forum supergroup) behind
:class:`capabilities.handoff.relay.StaffGroup`.

Topics are created with ``createForumTopic``; posts go to the topic's thread. Wire it with
:func:`staff_relay_for` and pass the relay as ``staff_handler`` to ``build_application``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import Bot
from telegram.error import TelegramError

from bot.telegram_render import send_replies
from capabilities.handoff.relay import StaffRelay
from core.clock import Clock, utcnow
from core.messages import Reply
from store.db import SessionFactory

log = logging.getLogger(__name__)


class TelegramStaffGroup:
    """Create topics and post in them, in the counsellors' forum supergroup."""

    def __init__(self, chat_id: int, bot: Bot | None = None) -> None:
        self.chat_id = chat_id
        self._bot = bot

    def bind(self, bot: Bot) -> None:
        """Attach the application's bot (it exists only once the application is built)."""
        self._bot = bot

    @property
    def bot(self) -> Bot:
        """The bound bot."""
        if self._bot is None:
            raise RuntimeError("staff group used before bind(app.bot)")
        return self._bot

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


def staff_relay_for(
    chat_id: int,
    sessions: SessionFactory,
    *,
    clock: Clock = utcnow,
    kick: Callable[[], None] | None = None,
) -> tuple[StaffRelay, TelegramStaffGroup]:
    """The relay for ``TELEGRAM_STAFF_CHAT_ID``; call ``group.bind(app.bot)`` once built."""
    group = TelegramStaffGroup(chat_id)
    return StaffRelay(sessions, group, chat_id, clock=clock, kick=kick), group
