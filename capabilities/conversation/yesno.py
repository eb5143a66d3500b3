"""Typed yes and no, read the same way at every confirmation step.

A question with "Oui" / "Non" buttons is often answered with the keyboard: "oui", "ouais",
"ok merci", "pas maintenant", "yes". :func:`read_yes_no` reads such an answer (French and
English, whatever the interface language: people mix them) on the shared folded words of
:mod:`core.text`; anything longer or mixed ("oui mais à quelle heure ?") is not an answer,
so the step's own reading (or the NLU) gets it. Flows call :func:`typed_answer` in their
``on_text`` at a confirmation step and run what the matching button runs.
"""

from __future__ import annotations

from capabilities.conversation.turn import Turn
from core.text import key

YES = frozenset(
    {
        "oui", "ouais", "ouai", "ouii", "ouiii", "wi", "oue", "ok", "okay", "oki", "okok",
        "d accord", "daccord", "dac", "d ac", "je confirme", "confirme", "confirmer",
        "c est bon", "cest bon", "c bon", "vas y", "allez y", "go", "bien sur", "parfait",
        "tout a fait", "exactement", "volontiers", "carrement", "evidemment", "absolument",
        "yes", "yeah", "yep", "yup", "sure", "of course", "alright", "all right", "i confirm",
        "confirm", "certainly", "absolutely",
    }
)  # fmt: skip
NO = frozenset(
    {
        "non", "nan", "nn", "nope", "pas maintenant", "pas pour l instant", "pas pour le moment",
        "plus tard", "pas du tout", "surtout pas", "certainement pas", "jamais", "laisse tomber",
        "laissez tomber", "non plus tard", "no", "nah", "not now", "later", "no thanks",
        "not yet", "never mind", "nevermind",
    }
)  # fmt: skip
# Politeness around an answer ("oui merci", "non merci beaucoup", "ok svp").
FILLERS = ("merci beaucoup", "merci", "s il vous plait", "s il te plait", "svp", "stp", "thanks",
           "thank you", "please", "bonjour", "hello")  # fmt: skip
YES_SIGNS = frozenset({"👍", "👌", "✅", "🆗", "✔", "✔️"})
NO_SIGNS = frozenset({"👎", "❌", "✖", "✖️", "🚫"})
MAX_WORDS = 6  # longer than this, it is a sentence, not an answer


def _strip_fillers(words: str) -> str:
    changed = True
    while changed and words:
        changed = False
        for filler in FILLERS:
            if words == filler:
                return ""
            if words.endswith(" " + filler):
                words, changed = words[: -len(filler) - 1], True
            elif words.startswith(filler + " "):
                words, changed = words[len(filler) + 1 :], True
    return words


def _collapse(words: str) -> str:
    """ "oui oui", "non non non" → one answer; "oui je confirme" → its parts."""
    parts = words.split()
    if parts and all(part == parts[0] for part in parts):
        return parts[0]
    return words


def read_yes_no(text: str) -> bool | None:
    """True for a typed yes, False for a typed no, None for anything else."""
    signs = text.strip()
    if signs in YES_SIGNS:
        return True
    if signs in NO_SIGNS:
        return False
    words = key(text)
    if not words or len(words.split()) > MAX_WORDS:
        return None
    words = _collapse(_strip_fillers(words))
    if words in YES:
        return True
    if words in NO:
        return False
    for head in ("oui", "ok", "yes", "d accord"):  # "oui je confirme", "ok c'est bon"
        if words.startswith(head + " ") and words[len(head) + 1 :] in YES:
            return True
    for head in ("non", "no"):  # "non pas maintenant", "non plus tard"
        if words.startswith(head + " ") and words[len(head) + 1 :] in NO:
            return False
    return None


def typed_answer(turn: Turn) -> bool | None:
    """The turn's typed yes/no (None: not an answer, or not a text)."""
    return read_yes_no(turn.text) if turn.text else None
