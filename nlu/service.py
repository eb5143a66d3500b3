"""The NLU port the bot uses: one async ``parse``; Rasa (issue 6) composes around it."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from nlu.engine import EmbeddedEngine


class NluService:
    """Parses with the embedded engine. A Rasa-backed service subclasses and falls back here."""

    def __init__(self, engine: EmbeddedEngine | None = None) -> None:
        self._engine = engine

    @property
    def embedded(self) -> EmbeddedEngine:
        """The embedded engine (built on first use, shared with ``nlu.parse``)."""
        if self._engine is None:
            from nlu import get_engine

            self._engine = get_engine()
        return self._engine

    @property
    def loaded(self) -> bool:
        """True once the embedded engine is trained or loaded (``/readyz``)."""
        return self._engine is not None

    async def start(self) -> None:
        """Build or load the model at start-up, off the event loop."""
        await asyncio.to_thread(lambda: self.embedded)

    async def parse(self, text: str, now: datetime | None = None) -> dict[str, Any]:
        """Rasa's /model/parse JSON for one message (about a millisecond, in-process)."""
        return self.embedded.parse(text, now)

    def engine_name(self, result: dict[str, Any] | None = None) -> str:
        """Which engine produced a parse (here always the embedded one)."""
        return EmbeddedEngine.name

    async def close(self) -> None:
        """Nothing to release for the embedded engine."""
