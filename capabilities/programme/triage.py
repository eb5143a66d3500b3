"""Triage of a free-text check-in answer: is it worrying, and about what?

The weekly check-in's "J'ai des difficultés" button alerts the counsellor; the same words
typed ("bof jai pas trouver de travail et jai plus de forfait bientot") must too. An answer
is read like distress words (:func:`capabilities.handoff.distress.reading`: folded, SMS
spellings spelled out, typos within the shared limit) against five topics, and the NLU's
confident intent adds two (housing and money questions). Reassuring turns of phrase ("pas
de problème", "ça va pas mal") are taken out first so they do not count as worries.
"""

from __future__ import annotations

from capabilities.handoff.distress import has_phrase, reading

TOPIC_LABELS = {
    "difficulty": "difficultés dans la recherche",
    "money": "argent",
    "health": "santé",
    "housing": "logement",
    "discouragement": "découragement",
}

_TOPICS: dict[str, tuple[str, ...]] = {
    "difficulty": (
        "pas trouve de travail", "pas trouve de boulot", "pas trouve d emploi", "toujours rien",
        "pas de travail", "pas de boulot", "aucune reponse", "que des refus", "galere",
        "galerer", "difficile", "difficultes", "difficulte", "probleme", "problemes",
        "y arrive pas", "arrive plus", "perdu mon travail", "perdu mon emploi", "licencie",
        "plus de voiture", "pas de voiture", "plus de permis", "pas de garde",
    ),
    "money": (
        "plus de forfait", "plus d argent", "pas d argent", "plus un sou", "plus un rond",
        "fin du mois", "finir le mois", "dettes", "dette", "factures", "impaye", "impayes",
        "coupure", "rien a manger", "pas de quoi manger", "faim", "decouvert", "huissier",
        "rsa suspendu", "rsa coupe", "plus de rsa", "payer le loyer", "fauche",
    ),
    "health": (
        "malade", "maladie", "hopital", "hospitalise", "hospitalisee", "medecin", "docteur",
        "douleur", "douleurs", "depression", "deprime", "deprimee", "accident", "blesse",
        "blessee", "arret maladie", "operation", "urgences",
    ),
    "housing": (
        "expulsion", "expulse", "expulsee", "proprio", "proprietaire", "mettre a la porte",
        "plus de logement", "pas de logement", "heberge chez", "hebergee chez", "loyer",
        "bailleur",
    ),
    "discouragement": (
        "bof", "pas bien", "va pas", "marre", "c est dur", "trop dur", "dur en ce moment",
        "decourage", "decouragee", "demoralise", "fatigue", "fatiguee", "epuise", "epuisee",
        "triste", "pas le moral", "plus le moral", "plus la force", "abandonner", "sert a rien",
        "baisse les bras",
        "perdu espoir", "angoisse", "stresse", "stressee",
    ),
}  # fmt: skip
# Reassuring phrases, removed before reading ("pas de problème", "ça va pas mal").
_REASSURING = (
    "pas de probleme", "pas de problemes", "aucun probleme", "sans probleme", "pas mal",
    "pas trop mal", "pas si mal", "ca va bien", "tout va bien", "pas difficile",
    "pas de souci", "pas de soucis",
)  # fmt: skip
# Confident NLU intents that, in a check-in answer, say the week is hard.
_INTENTS = {"ask_housing": "housing", "ask_funding": "money"}

_PHRASES = {topic: tuple(tuple(p.split()) for p in phrases) for topic, phrases in _TOPICS.items()}
_CALM = tuple(tuple(p.split()) for p in _REASSURING)


def _without(tokens: list[str], phrase: tuple[str, ...]) -> list[str]:
    size = len(phrase)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if tuple(tokens[i : i + size]) == phrase:
            out.append("|")  # a boundary: words on both sides do not join into a phrase
            i += size
        else:
            out.append(tokens[i])
            i += 1
    return out


def worry_of(text: str, intent: str | None = None) -> str | None:
    """The first worrying topic of an answer (see :data:`TOPIC_LABELS`), or None."""
    tokens = reading(text[:2000]).split()
    for phrase in _CALM:
        tokens = _without(tokens, phrase)
    for topic, phrases in _PHRASES.items():
        if any(has_phrase(tokens, phrase) for phrase in phrases):
            return topic
    return _INTENTS.get(intent or "")
