"""TF-IDF features: word uni/bigrams and word-bounded char 2-5-grams of normalised text."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from nlu.normalize import tokens
from nlu.sparse import Csr

BIAS = "__bias__"
CHAR_MIN, CHAR_MAX = 2, 5
WORD_WEIGHT = 0.8
CHAR_WEIGHT = 0.6


def _length_bucket(n: int) -> str:
    return "len:" + ("1" if n <= 1 else "2" if n == 2 else "3-4" if n <= 4 else "5+")


def raw_features(text: str) -> tuple[Counter[str], Counter[str]]:
    """Word-level and char-level feature counts of one message."""
    toks = tokens(text)
    words: Counter[str] = Counter("w:" + t for t in toks)
    padded = ["<s>", *toks, "</s>"]
    words.update("b:" + a + " " + b for a, b in itertools.pairwise(padded))
    words[_length_bucket(len(toks))] += 1
    chars: Counter[str] = Counter()
    for tok in toks:
        marked = f" {tok} "
        for n in range(CHAR_MIN, CHAR_MAX + 1):
            for i in range(len(marked) - n + 1):
                chars["c:" + marked[i : i + n]] += 1
    return words, chars


@dataclass
class Vectorizer:
    """Maps a message to a sparse, L2-normalised TF-IDF vector (plus a bias feature)."""

    vocab: dict[str, int]
    idf: NDArray[np.float32]

    @classmethod
    def fit(cls, texts: list[str]) -> Vectorizer:
        """Learn the vocabulary and inverse document frequencies."""
        return cls.fit_transform(texts)[0]

    @classmethod
    def fit_transform(cls, texts: list[str]) -> tuple[Vectorizer, Csr]:
        """Learn the vocabulary and vectorise the training texts in one pass."""
        raw = [raw_features(text) for text in texts]
        df: Counter[str] = Counter()
        for words, chars in raw:
            df.update(words.keys())
            df.update(chars.keys())
        vocab = {BIAS: 0}
        for feature in sorted(df):
            vocab[feature] = len(vocab)
        n = len(texts)
        idf = np.ones(len(vocab), dtype=np.float32)
        for feature, count in df.items():
            idf[vocab[feature]] = math.log((1 + n) / (1 + count)) + 1.0
        vectorizer = cls(vocab, idf)
        rows = [vectorizer._weigh(words, chars)[:2] for words, chars in raw]
        return vectorizer, Csr.from_rows(rows, len(vocab))

    def vector(self, text: str) -> tuple[list[int], list[float], float]:
        """Feature indices, values, and the share of char n-grams seen in training."""
        return self._weigh(*raw_features(text))

    def _weigh(
        self, words: Counter[str], chars: Counter[str]
    ) -> tuple[list[int], list[float], float]:
        indices = [0]
        values = [1.0]
        known_chars = 0
        for group, weight in ((words, WORD_WEIGHT), (chars, CHAR_WEIGHT)):
            ix: list[int] = []
            vals: list[float] = []
            for feature, count in group.items():
                j = self.vocab.get(feature)
                if j is None:
                    continue
                ix.append(j)
                vals.append((1.0 + math.log(count)) * float(self.idf[j]))
            if group is chars:
                known_chars = len(ix)
            norm = math.sqrt(sum(v * v for v in vals)) or 1.0
            indices.extend(ix)
            values.extend(weight * v / norm for v in vals)
        coverage = known_chars / len(chars) if chars else 0.0
        unigrams = [f for f in words if f.startswith("w:")]
        if 0 < len(unigrams) <= 2:
            # one or two words never seen whole: trust the character n-grams less
            known = sum(1 for f in unigrams if f in self.vocab) / len(unigrams)
            coverage *= 0.5 + 0.5 * known
        return indices, values, coverage

    def matrix(self, texts: list[str]) -> tuple[Csr, NDArray[np.float64]]:
        """Vectorise many messages; also return their coverage."""
        rows = []
        coverage = np.zeros(len(texts))
        for i, text in enumerate(texts):
            ix, vals, cov = self.vector(text)
            rows.append((ix, vals))
            coverage[i] = cov
        return Csr.from_rows(rows, len(self.vocab)), coverage
