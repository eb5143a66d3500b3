"""Trades the catalog has no detail card for, but a person names often (issue 15).

"infirmier", "aide-soignant", "boulanger", "serveur", "agent d'entretien"… get the card of
trades outside industry (or the free health trainings), never the industry list as if it
answered, and never "not understood".
"""

from __future__ import annotations

import re

from core.text import fold

# Folded word stems -> the card that answers them.
OTHER_TRADES: dict[str, str] = {
    r"aides? ?soignant\w*": "trainings.health",
    r"auxiliaires? de puericulture": "trainings.health",
    r"ambulanci\w*": "trainings.health",
    r"infirmi\w*": "trades.other",
    r"boulang\w*": "trades.other",
    r"patissi\w*": "trades.other",
    r"serveu\w*|serveuse\w*": "trades.other",
    r"cuisini\w*|commis de cuisine": "trades.other",
    r"agents? d ?entretien|agents? de proprete|femmes? de menage|menage": "trades.other",
    r"aides? a domicile|auxiliaires? de vie": "trades.other",
    r"coiffeu\w*|vendeu\w*|caissi\w*": "trades.other",
    # not a trade, but asked the same way ("ya un forum emploi ?")
    r"forums?|dk ?job\w*|salons? (de l )?emploi|bus (pour|de) l ?emploi|job ?datings?": "events",
}
_PATTERNS = [(re.compile(rf"\b(?:{stem})\b"), card) for stem, card in OTHER_TRADES.items()]


def other_trade_card(text: str) -> str | None:
    """The card for a trade outside the detail cards named in ``text``, or None."""
    plain = " ".join(fold(text).replace("'", " ").replace("-", " ").split())
    for pattern, card in _PATTERNS:
        if pattern.search(plain):
            return card
    return None
