"""The questions of « Faire le point »: buttons first, each skippable, each with its "why".

Free text is read where it fits (:func:`read`): a trade through the catalogue (the NLU's
``trade`` entity first), an age or a child's birth date through the shared date parser,
"permis", "RSA", "licencié"… through plain words. Nothing is guessed: text that says nothing
clear gets the buttons again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from capabilities.conversation.turn import Turn
from core.dates import parse_day
from core.i18n import N_
from core.text import fold


@dataclass(frozen=True)
class Question:
    """One question: its answer key, the prompt, why we ask, and the button choices."""

    key: str
    prompt: str
    why: str
    options: tuple[tuple[str, str], ...]  # (value, label)


QUESTIONS: tuple[Question, ...] = (
    Question(
        "goal",
        N_("Que cherchez-vous en ce moment ?"),
        N_("Pour savoir par où commencer : un emploi, une formation, ou d'abord s'informer."),
        (
            ("job", N_("Un emploi")),
            ("training", N_("Une formation")),
            ("change", N_("Changer de métier")),
            ("info", N_("M'informer")),
        ),
    ),
    Question(
        "age",
        N_("Quel âge avez-vous ?"),
        N_("Avant 26 ans, la Mission Locale peut vous suivre. Certaines aides dépendent de l'âge."),
        (
            ("under26", N_("Moins de 26 ans")),
            ("26to49", N_("26 à 49 ans")),
            ("50plus", N_("50 ans ou plus")),
        ),
    ),
    Question(
        "diploma",
        N_("Quel est votre diplôme le plus haut ?"),
        N_(
            "Pour proposer des métiers et des formations à votre portée. "
            "Sans diplôme, il y a aussi des pistes."
        ),
        (
            ("none", N_("Aucun diplôme")),
            ("cap", N_("CAP ou BEP")),
            ("bac", N_("Bac")),
            ("higher", N_("Plus que le bac")),
        ),
    ),
    Question(
        "licence",
        N_("Avez-vous le permis de conduire ?"),
        N_("Sans permis, il existe des aides pour le passer, et des bus gratuits vers les usines."),
        (
            ("car", N_("Oui, et une voiture")),
            ("nocar", N_("Oui, sans voiture")),
            ("none", N_("Non")),
        ),
    ),
    Question(
        "children",
        N_("Avez-vous des enfants à faire garder ?"),
        N_(
            "Pour les moins de 3 ans, certaines crèches gardent des places "
            "aux parents qui cherchent un emploi."
        ),
        (
            ("none", N_("Non")),
            ("under3", N_("Oui, moins de 3 ans")),
            ("older", N_("Oui, plus grands")),
        ),
    ),
    Question(
        "status",
        N_("Êtes-vous au RSA ou inscrit à France Travail ?"),
        N_(
            "Au RSA, un rendez-vous du programme vous attend. "
            "Inscrit ou non, certaines aides changent."
        ),
        (
            ("rsa", N_("Au RSA")),
            ("ft", N_("Inscrit à France Travail")),
            ("none", N_("Ni l'un ni l'autre")),
        ),
    ),
    Question(
        "trades",
        N_("Un métier ou un secteur vous intéresse ? Choisissez ou écrivez-le."),
        N_("Pour vous montrer ce métier, qui recrute, et comment s'y former."),
        (
            ("trades.op_batteries", N_("Usines de batteries")),
            ("trades.metal", N_("Métal et soudure")),
            ("trades.maintenance", N_("Maintenance")),
            ("trades.building", N_("Bâtiment")),
            ("trades.logistics", N_("Logistique")),
        ),
    ),
    Question(
        "constraint",
        N_("Y a-t-il une difficulté à prendre en compte ?"),
        N_("Pour que le plan tienne compte de votre vie : horaires, santé, trajets."),
        (
            ("none", N_("Aucune")),
            ("hours", N_("Des horaires")),
            ("health", N_("La santé")),
            ("mobility", N_("Me déplacer")),
        ),
    ),
)
BY_KEY = {question.key: question for question in QUESTIONS}

_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    # (folded word or phrase, value); the first match wins, so negations come first.
    "goal": (
        ("formation", "training"),
        ("former", "training"),
        ("reconver", "change"),
        ("changer", "change"),
        ("info", "info"),
        ("emploi", "job"),
        ("travail", "job"),
        ("boulot", "job"),
        ("job", "job"),
    ),
    "licence": (
        ("pas le permis", "none"),
        ("pas de permis", "none"),
        ("sans permis", "none"),
        ("non", "none"),
        ("pas de voiture", "nocar"),
        ("sans voiture", "nocar"),
        ("voiture", "car"),
        ("oui", "car"),
    ),
    "children": (
        ("pas d enfant", "none"),
        ("non", "none"),
        ("aucun", "none"),
        ("bebe", "under3"),
        ("creche", "under3"),
        ("ecole", "older"),
        ("college", "older"),
    ),
    "status": (
        ("rsa", "rsa"),
        ("france travail", "ft"),
        ("pole emploi", "ft"),
        ("inscrit", "ft"),
        ("non", "none"),
        ("rien", "none"),
    ),
    "diploma": (
        ("aucun", "none"),
        ("pas de diplome", "none"),
        ("sans diplome", "none"),
        ("non", "none"),
        ("cap", "cap"),
        ("bep", "cap"),
        ("licence", "higher"),
        ("master", "higher"),
        ("bts", "higher"),
        ("dut", "higher"),
        ("bac", "bac"),
    ),
    "constraint": (
        ("aucun", "none"),
        ("rien", "none"),
        ("non", "none"),
        ("horaire", "hours"),
        ("nuit", "hours"),
        ("sante", "health"),
        ("malad", "health"),
        ("handicap", "health"),
        ("dos", "health"),
        ("bus", "mobility"),
        ("deplac", "mobility"),
        ("transport", "mobility"),
    ),
}
LAYOFF_WORDS = ("licenci", "plan social", "fermeture de mon usine")


def band(age: int) -> str | None:
    """The age band of an age in years (``None`` outside 14–99)."""
    if not 14 <= age <= 99:
        return None
    return "under26" if age < 26 else "26to49" if age < 50 else "50plus"


def years_between(born: date, today: date) -> int:
    """Full years from ``born`` to ``today``."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def read(turn: Turn, key: str, now: datetime) -> dict[str, Any]:
    """What free text says for question ``key`` (and any other answer it clearly states)."""
    text = turn.text
    plain = f" {fold(text)} "
    found: dict[str, Any] = {}
    if any(word in plain for word in LAYOFF_WORDS):
        found["layoff"] = "true"
    if key == "trades":
        catalog = turn.services.catalog
        trade = catalog.trade_of((turn.parse or {}).get("entities", [])) or catalog.find_trade(text)
        if trade:
            found["trades"] = [trade]
        return found
    if key in ("age", "children"):
        guess = parse_day(text, now)
        number = re.search(r"\b(\d{1,2})\s*ans\b", plain)
        years: int | None = None
        if guess is not None and guess.day is not None and guess.day < now.date():
            years = years_between(guess.day, now.date())
        elif number:
            years = int(number.group(1))
        elif key == "children" and re.search(r"\b\d{1,2}\s*mois\b", plain):
            years = 0
        if years is not None:
            if key == "age" and band(years):
                found["age"] = band(years)
            elif key == "children" and years < 18:
                found["children"] = "under3" if years < 3 else "older"
            return found
    for word, value in _WORDS.get(key, ()):
        if re.search(rf"(^|\W){re.escape(word)}", plain):
            found[key] = value
            break
    if key != "licence" and "permis" in plain and ("pas" in plain or "sans" in plain):
        found.setdefault("licence", "none")
    return found


def prefill(turn: Turn) -> dict[str, Any]:
    """What the first sentence already says (« je cherche du travail mais j'ai pas le permis »).

    Only clear words: the goal, the licence when "permis" is named, RSA / France Travail,
    a layoff, a trade the NLU recognised. Short answers ("non", "oui") mean nothing here.
    """
    if not turn.is_text:
        return {}
    plain = f" {fold(turn.text)} "
    found: dict[str, Any] = {}
    if any(word in plain for word in LAYOFF_WORDS):
        found["layoff"] = "true"
    for word, value in _WORDS["goal"]:
        if word != "info" and re.search(rf"(^|\W){re.escape(word)}", plain):
            found["goal"] = value
            break
    if "permis" in plain:
        negated = re.search(r"\b(pas|sans|plus)\b[^.,;!?]{0,12}permis", plain)
        found["licence"] = "none" if negated else found.get("licence")
        if found["licence"] is None:
            del found["licence"]
    for word, value in _WORDS["status"][:3]:
        if word in plain:
            found["status"] = value
            break
    trade = turn.services.catalog.trade_of((turn.parse or {}).get("entities", []))
    if trade:
        found["trades"] = [trade]
    return found
