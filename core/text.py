"""The one text normaliser and the one edit distance, for every comparison of typed words.

Three forms, all built on the same per-character folding (case folded, accents off,
ligatures spelled out, every apostrophe written ``'``):

- :func:`fold` keeps punctuation (distress phrases, motif and Espace names);
- :func:`plain_offsets` also turns punctuation into spaces, character for character, with a
  map back to the original text (the NLU's entities and the date parser need offsets);
- :func:`key` keeps only the words (letters and digits), one space apart (lookup keys).

Typos are counted with the optimal-string-alignment distance (a swap of two neighbours is one
typo) from ``rapidfuzz``, and one rule says how many a word may carry (:func:`typo_limit`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz.distance import OSA

# Letters NFKD does not decompose, spelled as a French keyboard would type them.
_SPECIAL = {"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"}
_APOSTROPHES = dict.fromkeys("’‘`´ʼ′", "'")
# Kept by the plain form: they carry meaning in dates, times and questions ("24/11", "9:15").
_KEEP = frozenset("/:?+@!")
_WORD = re.compile(r"[^\W_]+")
_DIGIT_SEPARATOR = frozenset(".-")


@lru_cache(maxsize=8192)
def fold_char(ch: str) -> str:
    """One character folded: case folded, accents off, ligatures spelled out, ``'`` unified."""
    out: list[str] = []
    for low in ch.casefold():
        for part in unicodedata.normalize("NFKD", _SPECIAL.get(low, low)):
            if not unicodedata.combining(part):
                out.append(_APOSTROPHES.get(part, part))
    return "".join(out)


def fold(text: str) -> str:
    """Text folded for matching, punctuation kept ("Après-demain’" -> "apres-demain'")."""
    return "".join(fold_char(ch) for ch in text)


@lru_cache(maxsize=8192)
def _plain_char(ch: str) -> str:
    # letters, digits, a few signs, emoji and symbols are kept; the rest (punctuation,
    # control characters) becomes a space, so offsets still map one to one
    return "".join(
        c if c.isalnum() or c in _KEEP or unicodedata.category(c).startswith("S") else " "
        for c in fold_char(ch)
    )


@lru_cache(maxsize=64)
def plain_offsets(text: str) -> tuple[str, tuple[int, ...]]:
    """The plain form and, for each of its characters, the index of the original one.

    A dot or dash between two digits becomes ``/`` ("24.11", "2026-11-26" read as dates).
    The last texts are cached: the classifier, the entities and the booking flow read the
    same message.
    """
    out: list[str] = []
    index: list[int] = []
    last = len(text) - 1
    for i, ch in enumerate(text):
        if ch in _DIGIT_SEPARATOR and 0 < i < last and _digits(text[i - 1], text[i + 1]):
            rep = "/"
        else:
            rep = _plain_char(ch)
        out.append(rep)
        index.extend([i] * len(rep))
    return "".join(out), tuple(index)


def _digits(before: str, after: str) -> bool:
    return before.isdecimal() and after.isdecimal() and before.isascii() and after.isascii()


def plain(text: str) -> str:
    """Folded text with punctuation as spaces (what the word and date patterns read)."""
    return plain_offsets(text)[0]


def words(text: str) -> list[str]:
    """The folded words (runs of letters and digits) of a text."""
    return _WORD.findall(fold(text))


def key(text: str) -> str:
    """Lookup form: the folded words one space apart ("L'Électricien !" -> "l electricien")."""
    return " ".join(words(text))


def typo_limit(word: str) -> int:
    """How many typos a word (or phrase) may carry: none up to 4 letters, 1 up to 8, then 2.

    Short words have too many neighbours ("coiffeur" must not become "coffreur" by way of a
    third typo); beyond two, a longer phrase starts matching other trades.
    """
    length = len(word)
    return 0 if length <= 4 else 1 if length <= 8 else 2


def typo_distance(typed: str, known: str) -> int | None:
    """Typos between two folded strings, or ``None`` when more than both may carry."""
    limit = min(typo_limit(typed), typo_limit(known))
    if abs(len(typed) - len(known)) > limit:
        return None
    distance = int(OSA.distance(typed, known, score_cutoff=limit))
    return distance if distance <= limit else None
