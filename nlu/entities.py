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

from core.dates import find_dates, find_times
from core.text import typo_distance, typo_limit, words
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
    return tuple(words(text))


def _deletes(word: str, depth: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


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
        limit = typo_limit(word)
        if limit == 0 or word in self.term_words or word in self.known_words:
            return word, False
        cached = _CORRECTIONS.get((self.term_words, word))
        if cached is not None:
            return cached
        index = _typo_index(self.term_words)
        best: tuple[int, str] | None = None
        for variant in _deletes(word, limit):
            for candidate in index.get(variant, ()):
                dist = typo_distance(word, candidate)
                if dist is not None and (best is None or dist < best[0]):
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
        for variant in _deletes(word, typo_limit(word)):
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
    for item in [*find_dates(norm, now), *find_times(norm)]:
        if item.invalid:
            continue  # "le 31 février": no date rather than a wrong one
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
