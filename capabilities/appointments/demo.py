"""Demonstration mode: slots drawn from example hours are never presented as real.

While an Espace's opening periods are examples (``example: true`` in
``config/appointments.yaml``, or a period the console left marked as an example) or its
details are (``example: true`` in ``config/espaces.yaml``), every
offered day, time, summary and confirmation for that Espace carries a notice that this is a
demonstration and that nobody expects the person there.
"""

from __future__ import annotations

from functools import lru_cache

from capabilities.conversation.turn import Turn
from capabilities.example_data import example_files
from store import repo_agenda


@lru_cache(maxsize=1)
def _espaces_are_examples() -> bool:
    return any(name == "espaces.yaml" for name, _what in example_files())


def is_demo(turn: Turn, espace_id: str) -> bool:
    """True when the Espace's slots come from example hours, or its details are examples."""
    return _espaces_are_examples() or espace_id in repo_agenda.example_espace_ids(turn.session)


def offer_notice(turn: Turn) -> str:
    """One line above offered days and times."""
    return turn._("⚠️ Démonstration : ces créneaux sont des exemples, pas de vrais horaires.")


def booking_notice(turn: Turn) -> str:
    """One line on a summary or a confirmation."""
    return turn._(
        "⚠️ Démonstration : ce rendez-vous n'est pas réel. Personne ne vous attend à l'Espace."
    )


def with_offer_notice(turn: Turn, espace_id: str, text: str) -> str:
    """``text`` preceded by the demonstration notice when the Espace is in demo mode."""
    return offer_notice(turn) + "\n" + text if is_demo(turn, espace_id) else text
