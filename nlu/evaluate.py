"""Held-out evaluation and stratified k-fold cross-validation, engine-agnostic.

An engine plugs in as a *trainer* (TrainingData -> predictor) for cross-validation, or as a
*predictor* factory (-> predictor) for a held-out file. A predictor maps a list of texts to
a list of intent names. The Rasa helper registers its engine in ``PREDICTORS``/``TRAINERS``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from nlu.trainingdata import Example, TrainingData, load_file

Predictor = Callable[[list[str]], list[str]]
Trainer = Callable[[TrainingData], Predictor]

DEFAULT_SEED = 20_000


def _embedded_trainer(data: TrainingData) -> Predictor:
    from nlu.engine import EmbeddedEngine

    engine = EmbeddedEngine.train(data)
    return lambda texts: [engine.classify(t)[0][0] for t in texts]


def _embedded_predictor() -> Predictor:
    from nlu import get_engine

    engine = get_engine()
    return lambda texts: [engine.classify(t)[0][0] for t in texts]


PREDICTORS: dict[str, Callable[[], Predictor]] = {"embedded": _embedded_predictor}
TRAINERS: dict[str, Trainer] = {"embedded": _embedded_trainer}


def split_folds(
    examples: list[Example], k: int, seed: int = DEFAULT_SEED
) -> list[tuple[list[int], list[int]]]:
    """Stratified folds: each intent's examples shuffled (fixed seed) and dealt round-robin."""
    rng = np.random.default_rng(seed)
    fold_of = [0] * len(examples)
    by_intent: dict[str, list[int]] = {}
    for i, example in enumerate(examples):
        by_intent.setdefault(example.intent, []).append(i)
    offset = 0
    for intent in sorted(by_intent):
        members = by_intent[intent]
        order = rng.permutation(len(members))
        for rank, j in enumerate(order):
            fold_of[members[int(j)]] = (offset + rank) % k
        offset += len(members)
    folds = []
    for f in range(k):
        test = [i for i, x in enumerate(fold_of) if x == f]
        train = [i for i, x in enumerate(fold_of) if x != f]
        folds.append((train, test))
    return folds


def score(gold: list[str], predicted: list[str]) -> dict[str, Any]:
    """Accuracy, macro-F1, per-intent precision/recall/F1/support and the confusions."""
    labels = sorted(set(gold) | set(predicted))
    per_intent: dict[str, dict[str, float]] = {}
    pairs = Counter(zip(gold, predicted, strict=True))
    for label in labels:
        tp = pairs[(label, label)]
        support = sum(1 for g in gold if g == label)
        n_pred = sum(1 for p in predicted if p == label)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": support,
        }
    scored = [label for label in labels if per_intent[label]["support"] > 0]
    macro = sum(per_intent[label]["f1"] for label in scored) / len(scored) if scored else 0.0
    confusions = [
        {"gold": g, "predicted": p, "count": c}
        for (g, p), c in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
        if g != p
    ]
    correct = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p)
    return {
        "accuracy": round(correct / len(gold), 4) if gold else 0.0,
        "macro_f1": round(macro, 4),
        "n": len(gold),
        "per_intent": per_intent,
        "confusions": confusions,
    }


# Intents that change something for the person when acted on (the assistant asks first, or
# the flow asks "vraiment ?"): a message that did not ask for one must never be read as one.
ACTION_INTENTS = frozenset(
    {"stop_notifications", "delete_my_data", "cancel_appointment", "reschedule_appointment"}
)


def evaluate_examples(examples: list[Example], predict: Predictor) -> dict[str, Any]:
    """Score a predictor on examples; confusions also list the misread texts.

    ``unasked_actions`` lists the texts read as an action intent they did not ask for.
    """
    predicted = predict([e.text for e in examples])
    report = score([e.intent for e in examples], predicted)
    report["unasked_actions"] = [
        {"text": e.text, "gold": e.intent, "predicted": guess}
        for e, guess in zip(examples, predicted, strict=True)
        if guess in ACTION_INTENTS and guess != e.intent
    ]
    errors: dict[tuple[str, str], list[str]] = {}
    for example, guess in zip(examples, predicted, strict=True):
        if guess != example.intent:
            errors.setdefault((example.intent, guess), []).append(example.text)
    for item in report["confusions"]:
        item["examples"] = errors.get((item["gold"], item["predicted"]), [])
    return report


def evaluate_file(path: Path, engine: str = "embedded") -> dict[str, Any]:
    """Evaluate an engine on a held-out Rasa YAML file."""
    report = evaluate_examples(load_file(path).examples, PREDICTORS[engine]())
    return {"engine": engine, "file": str(path), **report}


def cross_validate(
    data: TrainingData, folds: int = 5, seed: int = DEFAULT_SEED, engine: str = "embedded"
) -> dict[str, Any]:
    """Stratified k-fold: train on k-1 folds, predict the held-out one, pool the predictions."""
    trainer = TRAINERS[engine]
    gold: list[str] = []
    predicted: list[str] = []
    per_fold = []
    for train_idx, test_idx in split_folds(data.examples, folds, seed):
        fold_data = TrainingData(
            examples=[data.examples[i] for i in train_idx],
            synonyms=dict(data.synonyms),
            lookups={k: list(v) for k, v in data.lookups.items()},
            regexes={k: list(v) for k, v in data.regexes.items()},
        )
        predict = trainer(fold_data)
        test = [data.examples[i] for i in test_idx]
        guesses = predict([e.text for e in test])
        fold_gold = [e.intent for e in test]
        per_fold.append(score(fold_gold, guesses)["accuracy"])
        gold.extend(fold_gold)
        predicted.extend(guesses)
    report = score(gold, predicted)
    return {
        "engine": engine,
        "folds": folds,
        "seed": seed,
        "fold_accuracy": per_fold,
        **report,
    }
