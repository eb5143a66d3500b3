"""The application context: every long-lived object of one process, built once, typed.

:func:`app.build.build_context` makes it from the settings; every entry point (``python -m
bot``, ``bot chat``, ``console``, ``scheduler``, ``store``, ``capabilities.appointments``)
gets its context there. Nothing is patched onto an object after construction and no module
global holds a running service: what a part needs is given to its constructor from here.

The context owns the lifecycle: :meth:`AppContext.start` starts the NLU and the channels in
order, :meth:`AppContext.aclose` stops them in reverse order and disposes of the engine.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from capabilities.assistant.assistant import Assistant
from capabilities.conversation.services import Services
from core.clock import Clock
from core.ports import Channel, Nlu
from core.settings import Settings
from core.wakeup import Wakeup
from store.db import Engine, SessionFactory

log = logging.getLogger(__name__)

Closer = Callable[[], Awaitable[None]]


@dataclass
class Database:
    """The engine and its sessions (what the ``store`` command needs, and nothing more)."""

    engine: Engine
    sessions: SessionFactory

    async def aclose(self) -> None:
        """Close the pool's connections."""
        self.engine.dispose()


@dataclass
class AppContext:
    """One process's objects: settings, clock, database, NLU, services, assistant, channels."""

    settings: Settings
    clock: Clock
    database: Database
    services: Services
    assistant: Assistant
    wakeup: Wakeup
    nlu: Nlu | None = None
    channels: dict[str, Channel] = field(default_factory=dict)
    _closers: list[Closer] = field(default_factory=list)
    _started: list[Channel] = field(default_factory=list)
    _nlu_started: bool = False

    @property
    def engine(self) -> Engine:
        """The database engine (benchmarks and CLIs read it)."""
        return self.database.engine

    @property
    def sessions(self) -> SessionFactory:
        """Sessions on the application's database."""
        return self.database.sessions

    def on_close(self, closer: Closer) -> None:
        """Release ``closer``'s resource at shutdown, before the engine (reverse order)."""
        self._closers.append(closer)

    def add_channel(self, channel: Channel) -> None:
        """Make a channel known to the dispatcher and the lifecycle (one per name)."""
        if channel.name in self.channels:
            raise ValueError(f"channel {channel.name!r} is already installed")
        self.channels[channel.name] = channel

    async def start(self) -> None:
        """Start what is not started yet, in order: the NLU model, then each channel (an entry
        point may call it again after adding channels)."""
        if self.nlu is not None and not self._nlu_started:
            await self.nlu.start()
            self._nlu_started = True
        for channel in self.channels.values():
            if channel not in self._started:
                await channel.start()
                self._started.append(channel)

    async def aclose(self) -> None:
        """Stop channels, run the closers, then dispose of the engine — each once."""
        while self._started:
            channel = self._started.pop()
            try:
                await channel.stop()
            except Exception:  # shutdown goes on: the other resources must be released
                log.exception("stopping channel %s failed", channel.name)
        while self._closers:
            closer = self._closers.pop()
            try:
                await closer()
            except Exception:
                log.exception("a closer failed at shutdown")
        if self.nlu is not None:
            nlu, self.nlu = self.nlu, None
            await nlu.close()
        await self.database.aclose()
