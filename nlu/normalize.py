"""The NLU's view of a message: core.text's plain form, truncated, and classifier tokens."""

from __future__ import annotations

import re

from core.text import plain_offsets

MAX_CHARS = 1000  # longer messages are truncated before parsing (a phone message is shorter)

# SMS and spoken forms, expanded for the classifier only (entities use the char-level form).
SMS: dict[str, str] = {
    "rdv": "rendez vous",
    "rdvs": "rendez vous",
    "rdz": "rendez vous",
    "rendezvous": "rendez vous",
    "stp": "s il te plait",
    "svp": "s il vous plait",
    "svpl": "s il vous plait",
    "pk": "pourquoi",
    "pq": "pourquoi",
    "pkoi": "pourquoi",
    "bcp": "beaucoup",
    "bcq": "beaucoup",
    "bjr": "bonjour",
    "bsr": "bonsoir",
    "slt": "salut",
    "koi": "quoi",
    "kwa": "quoi",
    "ki": "qui",
    "ke": "que",
    "c": "c est",
    "cest": "c est",
    "ya": "il y a",
    "tt": "tout",
    "tjs": "toujours",
    "tjrs": "toujours",
    "dispo": "disponible",
    "dispos": "disponible",
    "auj": "aujourd hui",
    "ajd": "aujourd hui",
    "mtn": "maintenant",
    "qd": "quand",
    "qand": "quand",
    "pr": "pour",
    "ds": "dans",
    "msg": "message",
    "msgs": "messages",
    "notif": "notification",
    "notifs": "notifications",
    "jai": "j ai",
    "chui": "je suis",
    "chuis": "je suis",
    "taf": "travail",
    "taff": "travail",
    "boulot": "travail",
    "appart": "appartement",
    "aprem": "apres midi",
    "aprm": "apres midi",
    "ptdr": "mdr",
    "mrc": "merci",
    "mci": "merci",
    "mrci": "merci",
    "thx": "merci",
    "pb": "probleme",
    "pbm": "probleme",
    "infos": "info",
    "oki": "ok",
    "okk": "ok",
    "dac": "d accord",
    "dacc": "d accord",
    "daccord": "d accord",
    "wsh": "wesh",
    "permi": "permis",
    "permit": "permis",
}

_REPEATS = re.compile(r"([a-z])\1{2,}")
_J_CONTRACTION = re.compile(r"^j([bcdfghklmnpqrstvwxz][a-z]{2,})$")
_TOKEN = re.compile(r"[^\W_]+|[^\s\w]")


def normalize_chars(text: str) -> tuple[str, list[int]]:
    """The plain form of :mod:`core.text` (truncated) and its map back to the original text.

    Per-character results are memoised and the last texts cached there: the classifier and
    the entity extractor normalise the same message, and a turn must stay around a millisecond.
    """
    norm, index = plain_offsets(text[:MAX_CHARS])
    return norm, list(index)


def _collapse_repeats(word: str) -> str:
    """'merciiii' -> 'merci', 'saluuut' -> 'salut' (runs of 3+ identical letters)."""
    return _REPEATS.sub(r"\1", word)


def tokens(text: str) -> list[str]:
    """Tokens for the classifier: normalised, de-duplicated letters, SMS forms expanded."""
    norm, _ = normalize_chars(text)
    result: list[str] = []
    for raw in _TOKEN.findall(norm):
        word = _collapse_repeats(raw)
        if word in SMS:
            result.extend(SMS[word].split())
            continue
        match = _J_CONTRACTION.match(word)
        if match:
            result.extend(["je", match.group(1)])
            continue
        result.append(word)
    return result
