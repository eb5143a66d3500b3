"""Distress words: someone writes about suicide, violence or sleeping outside tonight.

Checked by the router before anything else is understood. The person gets the national
emergency numbers at once and the conversation is handed to a counsellor.

Numbers (national, free, 24 h/24), as listed in issue 5 of the product brief:
- 3114: numéro national de prévention du suicide — https://3114.fr (consulted 2026-11)
- 115: urgence sociale / hébergement d'urgence (Samu social) — issue 5
- 17: police secours — issue 5
- 112: numéro d'urgence européen — issue 5
"""

from __future__ import annotations

import re

from capabilities.conversation.turn import Turn
from core.messages import Reply
from core.text import fold

# Normalised (lower case, no accents) word stems; matched on word boundaries.
_PATTERNS = (
    r"suicid\w*",
    r"me tuer",
    r"me suicider",
    r"en finir",
    r"mettre fin a (ma|mes) (vie|jours)",
    r"envie de mourir",
    r"veux mourir",
    r"plus envie de vivre",
    r"me faire du mal",
    r"me pendre",
    r"me jeter",
    r"me (frappe|frappent|bat|battent|menace|menacent) ?\w*",
    r"violences? (conjugales?|familiales?)",
    r"je suis (battue?|frappee?|menacee?)",
    r"peur pour ma vie",
    r"(dors|dormir|dormirai|dort) (dans la rue|dehors)",
    r"a la rue",
    r"sans (abri|domicile)",
    r"pas de toit",
    r"nulle part ou dormir",
    r"(rien|nulle part|pas d.endroit) (ou|pour) dormir",
    r"expulse\w* (ce soir|aujourd.hui)",
)
_DISTRESS = re.compile(r"\b(" + "|".join(_PATTERNS) + r")\b")


def normalise(text: str) -> str:
    """Folded (core.text: lower case, no accents, one apostrophe), spaces simplified."""
    return " ".join(fold(text).split()) + " "


def is_distress(text: str) -> bool:
    """True when the message says the person may be in danger tonight."""
    return bool(text) and _DISTRESS.search(normalise(text)) is not None


def emergency_reply(turn: Turn) -> Reply:
    """The national emergency numbers, free and open day and night."""
    _ = turn._
    return Reply(
        text=_(
            "Ce que vous vivez compte. Si vous êtes en danger, appelez maintenant, "
            "c'est gratuit, jour et nuit :\n"
            "• 3114 : prévention du suicide, écoute\n"
            "• 115 : hébergement d'urgence\n"
            "• 17 : police\n"
            "• 112 : urgences (depuis tout téléphone)"
        )
    )
