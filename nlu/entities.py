"""Entities from lookups and synonyms (espace, trade, commune) with fuzzy matching, plus dates.

Offsets always point into the ORIGINAL text. Overlaps keep the longest match; duplicates
(same entity and value) are merged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from nlu.dates import find_dates, find_times, today_in_paris
from nlu.normalize import normalize_chars
from nlu.trainingdata import TrainingData

GAZETTEER = "EmbeddedGazetteer"
DATES = "EmbeddedDateParser"
_WORD = re.compile(r"[^\W_]+")
ESPACE_VALUES = ("saint_pol", "gare")
SAINT_POL_COMMUNE = "Saint-Pol-sur-Mer"
# Words that say "where I live", turning "saint pol" from the Espace into the town.
_RESIDENCE = re.compile(
    r"\b(?:habite|habites|habitons|habitez|j\s*habite|vis|vit|domicile|chez\s+moi|suis\s+de|"
    r"viens\s+de|depuis|pars\s+de|habitant)\b"
)


def _key(text: str) -> tuple[str, ...]:
    norm, _ = normalize_chars(text)
    return tuple(_WORD.findall(norm))


def _deletes(word: str, depth: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


def _distance(a: str, b: str) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def _max_typos(word: str) -> int:
    return 0 if len(word) < 5 else 1 if len(word) < 9 else 2


@dataclass
class Gazetteer:
    """Terms (normalised token tuples) -> (entity, value), and a typo index of their words."""

    terms: dict[tuple[str, ...], tuple[str, str]]
    known_words: frozenset[str]
    longest: int
    term_words: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self.term_words = frozenset(w for k in self.terms for w in k)
        _typo_index(self.term_words)  # build the typo index now, not on the first message

    @classmethod
    def build(cls, data: TrainingData) -> Gazetteer:
        """Collect terms from lookups, synonyms and annotated examples."""
        terms: dict[tuple[str, ...], tuple[str, str]] = {}
        canon: dict[str, str] = {}  # canonical value -> entity
        for entity in ("trade", "commune"):
            for item in data.lookups.get(entity, []):
                canon[item] = entity
        for value in ESPACE_VALUES:
            canon[value] = "espace"

        def add(text: str, entity: str, value: str) -> None:
            key = _key(text)
            if key:
                terms.setdefault(key, (entity, value))

        for example in data.examples:
            for span in example.entities:
                if span.entity in ("trade", "commune", "espace"):
                    value = data.synonyms.get(span.text.lower(), span.value)
                    add(span.text, span.entity, value)
        for text, value in data.synonyms.items():
            if value in canon:
                add(text, canon[value], value)
        for value, entity in canon.items():
            if entity != "espace":
                add(value, entity, value)
                saint = _key(value)
                if saint and saint[0] == "saint":
                    add(" ".join(("st", *saint[1:])), entity, value)
        known = frozenset(w for e in data.examples for w in _key(e.text))
        longest = max((len(k) for k in terms), default=1)
        return cls(terms, known, longest)

    def to_json(self) -> dict[str, Any]:
        """Plain data for the model cache."""
        return {
            "terms": [[" ".join(k), e, v] for k, (e, v) in self.terms.items()],
            "known_words": sorted(self.known_words),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Gazetteer:
        """Inverse of to_json."""
        terms = {tuple(str(k).split()): (str(e), str(v)) for k, e, v in raw["terms"]}
        longest = max((len(k) for k in terms), default=1)
        return cls(terms, frozenset(raw["known_words"]), longest)

    def correct(self, word: str) -> tuple[str, bool]:
        """The term word this token stands for, allowing a few typos; (word, was_fuzzy)."""
        limit = _max_typos(word)
        if limit == 0 or word in self.term_words or word in self.known_words:
            return word, False
        cached = _CORRECTIONS.get((self.term_words, word))
        if cached is not None:
            return cached
        index = _typo_index(self.term_words)
        best: tuple[int, str] | None = None
        for variant in _deletes(word, limit):
            for candidate in index.get(variant, ()):
                if abs(len(candidate) - len(word)) > limit:
                    continue
                dist = _distance(word, candidate)
                if dist <= min(limit, _max_typos(candidate)) and (best is None or dist < best[0]):
                    best = (dist, candidate)
        result = (best[1], True) if best else (word, False)
        if len(_CORRECTIONS) > 50_000:
            _CORRECTIONS.clear()
        _CORRECTIONS[(self.term_words, word)] = result
        return result


_CORRECTIONS: dict[tuple[frozenset[str], str], tuple[str, bool]] = {}


@lru_cache(maxsize=4)
def _typo_index(words: frozenset[str]) -> dict[str, set[str]]:
    index: dict[str, set[str]] = {}
    for word in words:
        for variant in _deletes(word, _max_typos(word)):
            index.setdefault(variant, set()).add(word)
    return index


def _entity(entity: str, start: int, end: int, text: str, value: str, extractor: str,
            confidence: float) -> dict[str, Any]:  # fmt: skip
    return {
        "entity": entity,
        "start": start,
        "end": end,
        "value": value,
        "extractor": extractor,
        "confidence_entity": confidence,
    }


def extract(text: str, gazetteer: Gazetteer, now: datetime | None = None) -> list[dict[str, Any]]:
    """All entities of a message, offsets into the original text, sorted by position."""
    norm, index = normalize_chars(text)
    if not norm.strip():
        return []

    def orig(start: int, end: int) -> tuple[int, int]:
        return index[start], index[end - 1] + 1

    words = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(norm)]
    corrected = [gazetteer.correct(w) for w, _, _ in words]
    found: list[dict[str, Any]] = []
    i = 0
    while i < len(words):
        for size in range(min(gazetteer.longest, len(words) - i), 0, -1):
            key = tuple(c for c, _ in corrected[i : i + size])
            hit = gazetteer.terms.get(key)
            if hit is None:
                continue
            entity, value = hit
            fuzzy = any(f for _, f in corrected[i : i + size])
            if entity == "espace" and value == "saint_pol" and _RESIDENCE.search(norm):
                entity, value = "commune", SAINT_POL_COMMUNE
            start, end = orig(words[i][1], words[i + size - 1][2])
            found.append(_entity(entity, start, end, text, value, GAZETTEER, 0.8 if fuzzy else 1.0))
            i += size - 1
            break
        i += 1
    today = today_in_paris(now)
    for item in [*find_dates(norm, today), *find_times(norm)]:
        start, end = orig(item.start, item.end)
        ent = _entity(item.entity, start, end, text, item.value, DATES, 1.0)
        if item.extra:
            ent["additional_info"] = item.extra
        found.append(ent)
    return merge(found)


def merge(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop duplicates (same entity and value) and spans inside a longer one of the same type."""
    out: list[dict[str, Any]] = []
    for ent in sorted(entities, key=lambda e: (e["start"], -(e["end"] - e["start"]))):
        if any(o["entity"] == ent["entity"] and o["value"] == ent["value"] for o in out):
            continue
        if any(
            o["entity"] == ent["entity"] and o["start"] <= ent["start"] and ent["end"] <= o["end"]
            for o in out
        ):
            continue
        out.append(ent)
    return out
