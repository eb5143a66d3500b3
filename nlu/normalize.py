"""Text normalisation for French phone messages, keeping a map back to the original text."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MAX_CHARS = 1000  # longer messages are truncated before parsing (a phone message is shorter)

_SPECIAL = {"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"}
_KEEP_PUNCT = set("/:?+@!")

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


@lru_cache(maxsize=8192)
def _map_char(ch: str) -> str:
    """One character, normalised: lower case, accents stripped, punctuation as spaces."""
    low = ch.lower()
    if low in _SPECIAL:
        rep = _SPECIAL[low]
    else:
        rep = "".join(c for c in unicodedata.normalize("NFKD", low) if not unicodedata.combining(c))
    # letters, digits, a few signs, emoji and symbols are kept; the rest (punctuation,
    # control characters) becomes a space, so offsets still map one to one
    return "".join(
        c if c.isalnum() or c in _KEEP_PUNCT or unicodedata.category(c).startswith("S") else " "
        for c in rep
    )


@lru_cache(maxsize=64)
def _normalize(text: str) -> tuple[str, tuple[int, ...]]:
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        rep = _map_char(ch)
        out.append(rep)
        if len(rep) == 1:
            index.append(i)
        else:
            index.extend([i] * len(rep))
    return "".join(out), tuple(index)


def normalize_chars(text: str) -> tuple[str, list[int]]:
    """Lowercase, strip accents, map punctuation to spaces; return text and index map.

    Per-character results are memoised and the last texts cached: the classifier and the
    entity extractor normalise the same message, and a turn must stay around a millisecond.
    """
    norm, index = _normalize(text[:MAX_CHARS])
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
