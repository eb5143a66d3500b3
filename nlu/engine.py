"""The embedded NLU engine: TF-IDF + regularised least squares, gazetteer and date parser.

Trained from the Rasa YAML of ``nlu/data`` in well under a second, and cached under
``var/cache/nlu/<sha256 of the training files>.npz`` so the next start only loads it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from nlu.classifier import LinearModel, train
from nlu.entities import Gazetteer, extract
from nlu.features import Vectorizer
from nlu.normalize import MAX_CHARS
from nlu.trainingdata import TrainingData, load_directory, training_files

ENGINE_VERSION = "embedded-2"  # 2: core.text folding, core.dates
ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(__file__).resolve().parent / "data"
CACHE_DIR = Path(os.environ.get("NLU_CACHE_DIR") or ROOT / "var" / "cache" / "nlu")
OUT_OF_SCOPE = "out_of_scope"
RANKING_SIZE = 10
# Below this share of known character n-grams the message is mostly unknown to the model
# (other scripts, gibberish); confidence then flows to out_of_scope.
FULL_TRUST_COVERAGE = 0.6
OOS_PRIOR = 0.35


def fingerprint(directory: Path) -> str:
    """sha256 of the engine version and every training file (name and bytes)."""
    digest = hashlib.sha256(ENGINE_VERSION.encode())
    for path in training_files(directory):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class EmbeddedEngine:
    """Parses a message into Rasa's ``/model/parse`` shape; deterministic, no server."""

    name = "embedded"

    def __init__(
        self, intents: list[str], vectorizer: Vectorizer, model: LinearModel, gazetteer: Gazetteer
    ) -> None:
        self.intents = intents
        self.vectorizer = vectorizer
        self.model = model
        self.gazetteer = gazetteer
        self._oos = intents.index(OUT_OF_SCOPE) if OUT_OF_SCOPE in intents else None
        self.loaded_from_cache = False

    @classmethod
    def train(cls, data: TrainingData) -> EmbeddedEngine:
        """Learn features, classifier and gazetteer from training data."""
        intents = sorted(data.intents)
        index = {name: i for i, name in enumerate(intents)}
        texts = [e.text for e in data.examples]
        vectorizer, matrix = Vectorizer.fit_transform(texts)
        labels = np.array([index[e.intent] for e in data.examples], dtype=np.int64)
        model = train(matrix, labels, len(intents))
        return cls(intents, vectorizer, model, Gazetteer.build(data))

    @classmethod
    def from_data_dir(
        cls, directory: Path = DATA_DIR, cache_dir: Path | None = CACHE_DIR
    ) -> EmbeddedEngine:
        """Load the cached model for these files, or train and cache it."""
        key = fingerprint(directory)
        if cache_dir is not None:
            path = cache_dir / f"{key}.npz"
            if path.exists():
                try:
                    engine = cls.load(path)
                    engine.loaded_from_cache = True
                    return engine
                except (OSError, ValueError, KeyError):
                    pass  # a broken cache file is rebuilt below
        engine = cls.train(load_directory(directory))
        if cache_dir is not None:
            with contextlib.suppress(OSError):  # read-only disk: work without a cache
                engine.save(cache_dir / f"{key}.npz")
        return engine

    def save(self, path: Path) -> None:
        """Write the model atomically (numpy arrays, no pickle)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        words = sorted(self.vectorizer.vocab, key=self.vectorizer.vocab.__getitem__)
        meta = {
            "intents": self.intents,
            "temperature": self.model.temperature,
            "gazetteer": self.gazetteer.to_json(),
            "vocab": words,
        }
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(
                    handle,
                    weights=self.model.weights,
                    idf=self.vectorizer.idf,
                    meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
                )
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    @classmethod
    def load(cls, path: Path) -> EmbeddedEngine:
        """Read a model written by save()."""
        with np.load(path, allow_pickle=False) as archive:
            weights = archive["weights"]
            idf = archive["idf"]
            meta = json.loads(archive["meta"].tobytes().decode())
        vocab = {word: i for i, word in enumerate(meta["vocab"])}
        return cls(
            list(meta["intents"]),
            Vectorizer(vocab, idf),
            LinearModel(weights, float(meta["temperature"])),
            Gazetteer.from_json(meta["gazetteer"]),
        )

    def classify(self, text: str) -> list[tuple[str, float]]:
        """All intents with calibrated confidences, best first."""
        indices, values, coverage = self.vectorizer.vector(text)
        probs = self.model.probabilities(indices, values)
        trust = min(1.0, coverage / FULL_TRUST_COVERAGE) ** 2
        if trust < 1.0 and self._oos is not None:
            prior = np.full(len(self.intents), (1.0 - OOS_PRIOR) / len(self.intents))
            prior[self._oos] += OOS_PRIOR
            probs = trust * probs + (1.0 - trust) * prior
        order = np.argsort(-probs, kind="stable")
        return [(self.intents[i], float(probs[i])) for i in order]

    def parse(self, text: str, now: datetime | None = None) -> dict[str, Any]:
        """Rasa's /model/parse JSON for one message; never raises on odd input."""
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        short = text[:MAX_CHARS]
        ranking = self.classify(short)
        name, confidence = ranking[0]
        return {
            "text": text,
            "intent": {"name": name, "confidence": round(confidence, 4)},
            "entities": extract(short, self.gazetteer, now),
            "intent_ranking": [
                {"name": n, "confidence": round(c, 4)} for n, c in ranking[:RANKING_SIZE]
            ],
        }
