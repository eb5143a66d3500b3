"""Distress words: someone writes about suicide, violence or sleeping outside tonight.

Checked by the router before anything else is understood, whatever the consent state. The
person gets the national emergency numbers at once and a counsellor is alerted.

The text is read the way people type on a phone: folded (:mod:`core.text`: no accents, no
case), SMS spellings spelled out ("jdors" → "je dors", "jai plu" → "j ai plus", "chui" →
"je suis"), then matched twice: the patterns below, and each phrase word by word with the
shared typo rule (``rapidfuzz`` optimal string alignment, :func:`core.text.typo_distance`),
so "je dor dehor" or "me suisider" are heard too. Short words (4 letters or fewer) must be
exact, so "la rue de la gare" is not "a la rue".

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
from core.text import fold, typo_distance, words

# Words of the folded text (core.text.words), one space apart; matched on word boundaries.
# Grouped by what the person needs first: the numbers given are the ones for that danger.
_SUICIDE = (
    r"suicid\w*",
    r"me tuer",
    r"en finir",
    r"mettre fin a (ma|mes) (vie|jours)",
    r"envie de mourir",
    r"veux mourir",
    r"plus envie de vivre",
    r"me faire du mal",
    r"me pendre",
    r"me jeter",
)
_VIOLENCE = (
    r"me (frappe|frappent|bat|battent|menace|menacent) ?\w*",
    r"violences? (conjugales?|familiales?)",
    r"je suis (battue?|frappee?|menacee?)",
    r"peur pour ma vie",
)
_SHELTER = (
    r"(dors|dormir|dormirai|dort|dormi) (dans la rue|dehors|dans ma voiture|dans la voiture)",
    r"(je suis|on est|nous sommes|me retrouve|se retrouve|suis) a la rue",
    r"^a la rue",
    r"sans (abri|domicile)",
    r"sdf",
    r"(pas|plus) de toit",
    r"nulle part ou dormir",
    r"(rien|nulle part|pas d endroit) (ou|pour) dormir",
    r"mis(e)? dehors",
    r"expulse\w* (ce soir|aujourd hui)",
)


def _compiled(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?:^|\s)(" + "|".join(patterns) + r")(?=\s|$)")


_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("suicide", _compiled(_SUICIDE)),
    ("violence", _compiled(_VIOLENCE)),
    ("shelter", _compiled(_SHELTER)),
)

# Phrases heard with typos: every word must be within the shared typo limit.
_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("shelter", ("dors", "dehors")),
    ("shelter", ("dormir", "dehors")),
    ("shelter", ("dort", "dehors")),
    ("shelter", ("dors", "dans", "la", "rue")),
    ("shelter", ("dormir", "dans", "la", "rue")),
    ("shelter", ("suis", "a", "la", "rue")),
    ("shelter", ("plus", "de", "toit")),
    ("shelter", ("sans", "domicile")),
    ("shelter", ("sans", "abri")),
    ("suicide", ("suicide",)),
    ("suicide", ("suicider",)),
    ("suicide", ("suicidaire",)),
    ("suicide", ("envie", "de", "mourir")),
    ("suicide", ("veux", "mourir")),
    ("suicide", ("plus", "envie", "de", "vivre")),
    ("violence", ("violences", "conjugales")),
    ("shelter", ("nulle", "part", "ou", "dormir")),
)

# SMS and spoken spellings, spelled out before matching (one folded word → words).
_SMS = {
    "jdors": "je dors",
    "jdor": "je dors",
    "dor": "dors",
    "chui": "je suis",
    "chuis": "je suis",
    "jsuis": "je suis",
    "jsui": "je suis",
    "jss": "je suis",
    "jai": "j ai",
    "g": "j ai",
    "plu": "plus",
    "pu": "plus",
    "pa": "pas",
    "ds": "dans",
    "ss": "sans",
    "jveux": "je veux",
    "jveu": "je veux",
    "veu": "veux",
    "jvais": "je vais",
    "jvai": "je vais",
    "mtuer": "me tuer",
    "ke": "que",
    "dehor": "dehors",
}


def normalise(text: str) -> str:
    """Folded (core.text: lower case, no accents, one apostrophe), spaces simplified."""
    return " ".join(fold(text).split()) + " "


def reading(text: str) -> str:
    """The words as matched: folded, SMS spellings spelled out, one space apart."""
    return " ".join(_SMS.get(word, word) for word in words(text))


def has_phrase(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    """The phrase appears in the words, each word within the shared typo limit."""
    size = len(phrase)
    for start in range(len(tokens) - size + 1):
        window = tokens[start : start + size]
        pairs = zip(window, phrase, strict=True)
        if all(typo_distance(typed, known) is not None for typed, known in pairs):
            return True
    return False


def distress_kind(text: str) -> str | None:
    """``suicide``, ``violence`` or ``shelter`` when the message says the person may be in
    danger tonight (the most serious first), else None."""
    if not text or not text.strip():
        return None
    read = reading(text[:2000])
    for kind, pattern in _KINDS:
        if pattern.search(read) is not None:
            return kind
    tokens = read.split()
    for order in ("suicide", "violence", "shelter"):
        if any(kind == order and has_phrase(tokens, phrase) for kind, phrase in _PHRASES):
            return order
    return None


def is_distress(text: str) -> bool:
    """True when the message says the person may be in danger tonight."""
    return distress_kind(text) is not None


# The card whose numbers come first for that danger (capabilities/information/content/
# needs.yaml, sourced); suicide words get the list below, the 3114 first.
_CARDS = {"shelter": "needs.shelter", "violence": "needs.violence"}


def emergency_reply(turn: Turn) -> Reply:
    """The emergency numbers for the danger the message speaks of, free, day and night: the
    115 for a bed, the 17 and the 3919 for violence, the 3114 when it is about suicide."""
    _ = turn._
    card = _CARDS.get(distress_kind(turn.incoming.text) or "")
    if card is not None and card in turn.services.catalog:
        rendered = turn.services.catalog.render(card, turn.locale)
        return Reply(text=rendered.text)
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
