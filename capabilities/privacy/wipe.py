"""After an erasure (/supprimer) is committed: nothing of the person readable on disk."""

from __future__ import annotations

import asyncio

from capabilities.conversation.services import Host
from core.events import Event
from store import wipe
from store.db import SessionFactory


class AfterErasure:
    """Listener of the ``erased`` event: checkpoint SQLite's write-ahead log."""

    def __init__(self, sessions: SessionFactory) -> None:
        self.sessions = sessions

    async def __call__(self, event: Event) -> None:
        if event.name == "erased":
            await asyncio.to_thread(wipe.checkpoint, wipe.engine_of(self.sessions))


def install(host: Host) -> None:
    """Register the listener once."""
    listeners = host.services.listeners
    if not any(isinstance(listener, AfterErasure) for listener in listeners):
        listeners.append(AfterErasure(host.sessions))
