"""Webhook mode: process the inbox's updates, once each, in order per person, on any replica.

Each of the worker's slots looks for a chat with undone updates, takes that chat's lock
(:mod:`store.locks`: a PostgreSQL advisory lock, so one replica at a time), and feeds the
chat's updates to the PTB ``Application`` one by one in ``update_id`` order, marking each
done after its replies are sent. A kick (the webhook recorded an update) wakes the slots;
they also look every ``poll_seconds`` for rows left by a replica that died.

A replica killed after a turn's transaction but before the row is marked done leaves the
row; the next replica re-processes it: the assistant recognises the update id and, instead
of running the turn again, sends the replies that turn stored (:mod:`store.held_replies`).
Marking the row done deletes them. The one window left is a kill after Telegram accepted
the replies and before the row is marked done (one database round trip): then they are
sent a second time; see docs/replicas.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Mapping
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.telegram_convert import CHANNEL
from core.clock import utcnow
from store import held_replies, inbox
from store.db import SessionFactory
from store.locks import KeyLocks, LockSlot

log = logging.getLogger(__name__)


def chat_of(update: Mapping[str, Any]) -> int:
    """The chat an update (Bot API JSON) belongs to, 0 when it has none; the key of the
    per-person order."""
    for field in ("message", "edited_message", "channel_post", "edited_channel_post"):
        message = update.get(field)
        if isinstance(message, Mapping):
            chat = message.get("chat")
            if isinstance(chat, Mapping) and isinstance(chat.get("id"), int):
                return int(chat["id"])
    query = update.get("callback_query")
    if isinstance(query, Mapping):
        message = query.get("message")
        if isinstance(message, Mapping):
            chat = message.get("chat")
            if isinstance(chat, Mapping) and isinstance(chat.get("id"), int):
                return int(chat["id"])
        sender = query.get("from")
        if isinstance(sender, Mapping) and isinstance(sender.get("id"), int):
            return int(sender["id"])
    return 0


class InboxWorker:
    """Runs ``slots`` concurrent chat drains until stopped."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        sessions: SessionFactory,
        *,
        slots: int = 8,
        poll_seconds: float = 1.0,
    ) -> None:
        self.application = application
        self.sessions = sessions
        self.slots = slots
        self.poll_seconds = poll_seconds
        bind = sessions.kw["bind"]
        self._locks = KeyLocks(bind, "telegram-chat")
        self._kicked = asyncio.Event()
        self.processed = 0

    def kick(self) -> None:
        """An update was recorded: look now."""
        self._kicked.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Drain until ``stop`` is set (each slot finishes its current update first)."""
        tasks = [asyncio.create_task(self._slot(stop)) for _ in range(self.slots)]
        try:
            await stop.wait()
        except asyncio.CancelledError:  # killed: the updates at hand stay in the inbox
            for task in tasks:
                task.cancel()
            raise
        finally:
            self._kicked.set()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _slot(self, stop: asyncio.Event) -> None:
        slot = self._locks.slot()
        try:
            while not stop.is_set():
                try:
                    worked = await self._one_round(slot, stop)
                except Exception:
                    log.exception("inbox round failed; retrying shortly")
                    worked = False
                if not worked and not stop.is_set():
                    self._kicked.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._kicked.wait(), self.poll_seconds)
        finally:
            await asyncio.to_thread(slot.close)

    async def _one_round(self, slot: LockSlot, stop: asyncio.Event) -> bool:
        chats = await asyncio.to_thread(self._pending)
        for chat in chats:
            if stop.is_set():
                return True
            if not await asyncio.to_thread(slot.try_lock, chat):
                continue
            try:
                await self._drain(chat, stop)
            finally:
                await asyncio.to_thread(slot.unlock, chat)
            return True
        return False

    def _pending(self) -> list[int]:
        with self.sessions() as session:
            return list(inbox.pending_chats(session))

    def _next(self, chat: int) -> tuple[int, str | None, int] | None:
        with self.sessions() as session, session.begin():
            found = inbox.next_of_chat(session, chat)
            if found is not None:
                inbox.started(session, found[0])
            return found

    def _done(self, update_id: int) -> None:
        with self.sessions() as session, session.begin():
            inbox.mark_done(session, update_id, utcnow())
            held_replies.release(session, CHANNEL, update_id)

    async def _drain(self, chat: int, stop: asyncio.Event) -> None:
        """Process the chat's undone updates in order, while holding its lock."""
        while not stop.is_set():
            found = await asyncio.to_thread(self._next, chat)
            if found is None:
                return
            update_id, payload, attempts = found
            if attempts >= inbox.MAX_ATTEMPTS or payload is None:
                log.error("update %s set aside after %d attempts", update_id, attempts)
            else:
                try:
                    update = Update.de_json(json.loads(payload), self.application.bot)
                    await self.application.process_update(update)
                except Exception:
                    log.exception("update %s failed (attempt %d)", update_id, attempts + 1)
                    await asyncio.sleep(min(5.0, 0.2 * 2**attempts))
                    continue
            await asyncio.to_thread(self._done, update_id)
            self.processed += 1
