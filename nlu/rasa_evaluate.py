"""Rasa as an engine of ``python -m nlu evaluate|cross-validate --engine rasa``.

``nlu/__main__.py`` imports this module and calls :func:`register`, so both engines are
scored by the same code (``nlu.evaluate``) on the same held-out file and the same folds.
Models are trained in Rasa's own venv and cached by a fingerprint of their training data, so
a second run of the same evaluation only loads them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nlu import rasa_env
from nlu.evaluate import Predictor, Trainer, cross_validate, evaluate_file
from nlu.rasa_client import RasaError, normalise_parse
from nlu.trainingdata import TrainingData, load_directory, to_yaml


def intents_of(model: Path, texts: list[str]) -> list[str]:
    """Rasa's best real intent for each text (``nlu_fallback`` mapped as the bot's client does)."""
    names = []
    for text, raw in zip(texts, rasa_env.predict(model, texts), strict=True):
        try:
            names.append(str(normalise_parse(raw, text)["intent"]["name"]))
        except RasaError:
            names.append("out_of_scope")
    return names


def rasa_predictor() -> Predictor:
    """A predictor using the model trained on ``nlu/data`` (trained first if needed)."""
    model = rasa_env.train(quiet=True)
    return lambda texts: intents_of(model, texts)


def rasa_trainer(data: TrainingData) -> Predictor:
    """Train Rasa on one fold's training data (cached by content) and return its predictor."""
    text = to_yaml(data)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    folder = rasa_env.cache_dir() / "rasa-cv" / digest
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nlu.yml").write_text(text, encoding="utf-8")
    model = rasa_env.train(data=folder / "nlu.yml", out=folder, name="nlu", quiet=True)
    return lambda texts: intents_of(model, texts)


def register(predictors: dict[str, Callable[[], Predictor]], trainers: dict[str, Trainer]) -> None:
    """Add the ``rasa`` engine to the evaluation registries of ``nlu.evaluate``."""
    predictors["rasa"] = rasa_predictor
    trainers["rasa"] = rasa_trainer


def rasa_evaluate(path: Path) -> dict[str, Any]:
    """Held-out evaluation of Rasa on a Rasa YAML test file."""
    from nlu import evaluate

    register(evaluate.PREDICTORS, evaluate.TRAINERS)
    return evaluate_file(path, "rasa")


def rasa_cross_validate(folds: int = 5, data: Path = rasa_env.DATA) -> dict[str, Any]:
    """Stratified k-fold cross-validation of Rasa, same folds as the embedded engine."""
    from nlu import evaluate

    register(evaluate.PREDICTORS, evaluate.TRAINERS)
    return cross_validate(load_directory(data), folds, engine="rasa")
