"""Natural-language understanding: Rasa's /model/parse shape from an embedded engine or Rasa.

``nlu.parse(text)`` is what the rest of the assistant calls. The embedded engine is built
lazily, once per process, from ``nlu/data/*.yml`` (cached by fingerprint under var/cache/nlu).
"""

from __future__ import annotations

import os
import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nlu.engine import EmbeddedEngine

INTENTS: tuple[str, ...] = (
    "greet",
    "goodbye",
    "thanks",
    "help",
    "ask_trades",
    "ask_training",
    "ask_prif",
    "ask_prf",
    "ask_funding",
    "ask_transport",
    "ask_driving_licence",
    "ask_housing",
    "ask_childcare",
    "ask_espace_info",
    "book_appointment",
    "cancel_appointment",
    "reschedule_appointment",
    "my_appointments",
    "talk_to_human",
    "affirm",
    "deny",
    "stop_notifications",
    "delete_my_data",
    # everyday needs (issue 15): answered by a card or a counsellor, never by an action
    "need_shelter",
    "need_food",
    "need_violence",
    "need_health",
    "need_money",
    "ask_rsa",
    "ask_youth",
    "language_help",
    "out_of_scope",
    "make_plan",
)
ENTITIES: tuple[str, ...] = ("espace", "trade", "commune", "date", "time")

# Our matrices are small: one BLAS thread is faster than several fighting for two shared
# cores (training 0.55 s instead of 0.9-1.6 s). Only effective if numpy is not yet imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

_lock = threading.Lock()
_engine: EmbeddedEngine | None = None


def get_engine() -> EmbeddedEngine:
    """The process-wide embedded engine, trained or loaded from cache on first use."""
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                from nlu.engine import EmbeddedEngine

                _engine = EmbeddedEngine.from_data_dir()
    return _engine


def parse(text: str, now: datetime | None = None) -> dict[str, Any]:
    """Understand one message: intent, confidence, entities, ranking (Rasa's JSON shape)."""
    return get_engine().parse(text, now)


def __getattr__(name: str) -> Any:
    if name == "EmbeddedEngine":
        from nlu.engine import EmbeddedEngine

        return EmbeddedEngine
    raise AttributeError(name)


__all__ = ["ENTITIES", "INTENTS", "EmbeddedEngine", "get_engine", "parse"]
