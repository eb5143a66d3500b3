"""The python-telegram-bot ``Application`` serving the assistant: build it, run it, test it.

One ``TypeHandler`` receives every update (guards first): staff group → the staff hook,
other groups → ignored, private chats → ``Incoming`` → ``handler.handle`` → replies.
Updates are processed concurrently across chats, but strictly in order within one chat
(:class:`ChatOrderedProcessor`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Sequence
from dataclasses import replace
from typing import Any

from telegram import BotCommand, Update
from telegram.error import Forbidden, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    ExtBot,
    TypeHandler,
)

from bot.telegram_bot import make_bot
from bot.telegram_channel import retry_after_seconds
from bot.telegram_convert import is_private, to_incoming
from bot.telegram_media import with_attachment
from bot.telegram_render import TEXT_APOLOGY, send_replies, toast
from core.locks import KeyedLocks
from core.messages import Reply
from core.ports import Handler, Redelivering
from core.settings import Settings

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]

# The command menu Telegram shows next to the input field (French first, English too).
COMMANDS: dict[str | None, list[tuple[str, str]]] = {
    None: [
        ("start", "Commencer"),
        ("menu", "Le menu principal"),
        ("aide", "Ce que je sais faire"),
        ("langue", "Changer de langue"),
        ("stop", "Ne plus recevoir de messages de ma part"),
        ("mesdonnees", "Ce que je garde sur vous"),
        ("supprimer", "Effacer vos données"),
    ],
    "en": [
        ("start", "Start"),
        ("menu", "Main menu"),
        ("aide", "What I can do"),
        ("langue", "Change language"),
        ("stop", "No more messages from me"),
        ("mesdonnees", "What I keep about you"),
        ("supprimer", "Erase your data"),
    ],
}


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Concurrent across chats, sequential within a chat (a FIFO lock per chat).

    PTB starts update tasks in arrival order and its semaphore is FIFO, so the per-chat
    locks are requested in arrival order too: one person's messages are answered in order.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._chats: KeyedLocks[int] = KeyedLocks()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers once every earlier update of the same chat is done."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        async with self._chats.hold(chat.id):
            await coroutine

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to free."""


class TelegramBridge:
    """Turns updates into calls of the assistant and its replies into Bot API calls."""

    def __init__(
        self,
        handler: Handler,
        *,
        staff_chat_id: int | None = None,
        staff_handler: Handler | None = None,
    ) -> None:
        self.handler = handler
        self.staff_chat_id = staff_chat_id
        self.staff_handler = staff_handler

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Route one update: staff group hook, ignore other groups, answer private chats."""
        chat = update.effective_chat
        if chat is not None and self.staff_chat_id is not None and chat.id == self.staff_chat_id:
            if self.staff_handler is not None:
                await self._serve(update, context, self.staff_handler, staff=True)
            return
        if not is_private(chat):
            await self._answer_query(update, None)
            return
        await self._serve(update, context, self.handler, staff=False)

    async def _serve(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, handler: Handler, *, staff: bool
    ) -> None:
        incoming = to_incoming(update)
        if incoming is None:
            await self._answer_query(update, None)
            return
        if not staff:  # a voice note or a photo, for a counsellor
            incoming = await with_attachment(context.bot, update.message, incoming)
        thread_id = None
        if staff and update.effective_message is not None:
            thread_id = update.effective_message.message_thread_id
            if thread_id is not None:
                incoming = replace(incoming, user_ref=f"{incoming.user_ref}:{thread_id}")
        chat_id = int(incoming.user_ref.partition(":")[0])
        try:
            replies = await handler.handle(incoming)
        except Exception:
            log.exception("the assistant failed on update %s", update.update_id)
            await self._answer_query(update, None)
            await self._deliver(context, chat_id, [Reply(text=TEXT_APOLOGY)], thread_id)
            return
        await self._answer_query(update, toast(replies))
        owed = await self._deliver(context, chat_id, replies, thread_id)
        if owed and isinstance(handler, Redelivering):
            try:
                await handler.undelivered(incoming, owed)
            except Exception:
                log.exception(
                    "could not keep the undelivered replies of update %s", update.update_id
                )

    @staticmethod
    async def _answer_query(update: Update, text: str | None) -> None:
        """Always answer a pressed button (or the client spins); a failure here is harmless."""
        if update.callback_query is None:
            return
        try:
            await update.callback_query.answer(text=text)
        except TelegramError as exc:
            log.info("could not answer callback query %s: %s", update.callback_query.id, exc)

    @staticmethod
    async def _deliver(
        context: ContextTypes.DEFAULT_TYPE,
        chat_id: int,
        replies: Sequence[Reply],
        thread_id: int | None,
    ) -> list[Reply]:
        """Send the replies; return those still owed after PTB's own retries failed."""
        delivered: list[Reply] = []
        try:
            await send_replies(
                context.bot, chat_id, replies, thread_id=thread_id, delivered=delivered
            )
        except Forbidden:
            log.info("chat %s blocked the bot; replies not delivered", chat_id)
        except TelegramError as exc:
            extra = ""
            if isinstance(exc, RetryAfter):
                extra = f" (retry after {retry_after_seconds(exc)} s)"
            log.warning("replies to chat %s not delivered now: %s%s", chat_id, exc, extra)
            return list(replies[len(delivered) :])
        return []


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log any error PTB caught; apologise kindly in a private chat, never show a traceback."""
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and is_private(update.effective_chat):
        assert update.effective_chat is not None
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(update.effective_chat.id, TEXT_APOLOGY)


async def _post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Tell Telegram our command menu once the bot is initialised."""
    for language, commands in COMMANDS.items():
        await app.bot.set_my_commands(
            [BotCommand(name, description) for name, description in commands],
            language_code=language,
        )


async def _post_shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Close what the handlers own (the assistant's child process); the application
    context closes the rest (database engine, NLU clients) after the Application stops."""
    bridge: TelegramBridge = app.bot_data["bridge"]
    for handler in {id(h): h for h in (bridge.handler, bridge.staff_handler) if h}.values():
        close = getattr(handler, "aclose", None)
        if close is not None:
            await close()


def build_application(
    settings: Settings,
    handler: Handler,
    *,
    staff_handler: Handler | None = None,
    bot: ExtBot[Any] | None = None,
    concurrent_updates: int = 64,
    connection_pool_size: int = 16,
    overall_max_rate: float | None = None,
    max_retries: int = 3,
    fast_http: bool = True,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The PTB Application serving ``handler`` on Telegram.

    ``bot`` is the one built by :func:`bot.telegram_bot.make_bot` when the caller shares it
    (the staff group); otherwise one is made here with ``connection_pool_size``,
    ``overall_max_rate`` (Telegram's ~30 messages/s bot-wide limit; 0 disables it, for
    benchmarks), ``max_retries`` (re-sends after a ``RetryAfter``) and ``fast_http``.
    ``concurrent_updates`` caps updates in flight (one chat's are still sequential). The
    shutdown hook closes the handlers that own something (``aclose``).
    """
    if bot is None:
        bot = make_bot(
            settings,
            connection_pool_size=connection_pool_size,
            overall_max_rate=overall_max_rate,
            max_retries=max_retries,
            fast_http=fast_http,
        )
    app = (
        ApplicationBuilder()
        .bot(bot)
        .concurrent_updates(ChatOrderedProcessor(concurrent_updates))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    bridge = TelegramBridge(
        handler, staff_chat_id=settings.telegram_staff_chat_id, staff_handler=staff_handler
    )
    app.bot_data["bridge"] = bridge
    app.add_handler(TypeHandler(Update, bridge.on_update))
    app.add_error_handler(_on_error)
    return app


def run(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Serve in production: long polling until SIGINT/SIGTERM (blocks, owns the event loop)."""
    app.run_polling(allowed_updates=ALLOWED_UPDATES)


@contextlib.asynccontextmanager
async def polling(
    app: Application[Any, Any, Any, Any, Any, Any], *, poll_timeout: int = 1
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Run the Application inside an existing event loop (tests, benchmarks), hooks included."""
    try:
        async with app:
            if app.post_init is not None:
                await app.post_init(app)
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(
                poll_interval=0, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES
            )
            try:
                yield app
            finally:
                await app.updater.stop()
                await app.stop()
    finally:
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
