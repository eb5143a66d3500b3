"""Wake the outbox dispatchers of this process: a reply was just queued, send it now.

The composition root creates one :class:`Wakeup` per process and hands ``wakeup.kick`` to
whoever queues messages (the assistant, the hand-off relay, the console); the scheduler
registers its dispatcher. Nothing reaches a running dispatcher through a module global.
"""

from __future__ import annotations

from collections.abc import Callable


class Wakeup:
    """A set of callbacks to call when the outbox has new due messages."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[[], None]] = []

    def register(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` on every kick until the returned function is called."""
        self._callbacks.append(callback)

        def unregister() -> None:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

        return unregister

    def kick(self) -> None:
        """Wake every registered dispatcher (a no-op when none runs in this process)."""
        for callback in list(self._callbacks):
            callback()
