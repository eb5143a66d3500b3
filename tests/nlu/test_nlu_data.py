"""The training and held-out data: every intent covered, nothing leaked, entities known."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from nlu import ENTITIES, INTENTS
from nlu.engine import DATA_DIR
from nlu.trainingdata import load_directory, load_file, load_yaml_text, to_yaml

TEST_FILE = Path(__file__).parent / "test_data.yml"


@pytest.fixture(scope="module")
def training():  # type: ignore[no-untyped-def]
    return load_directory(DATA_DIR)


@pytest.fixture(scope="module")
def held_out():  # type: ignore[no-untyped-def]
    return load_file(TEST_FILE)


def test_every_intent_has_40_training_examples(training) -> None:  # type: ignore[no-untyped-def]
    counts = Counter(e.intent for e in training.examples)
    assert set(counts) == set(INTENTS)
    assert {i: n for i, n in counts.items() if n < 40} == {}


def test_every_intent_has_10_held_out_examples(held_out) -> None:  # type: ignore[no-untyped-def]
    counts = Counter(e.intent for e in held_out.examples)
    assert set(counts) == set(INTENTS)
    assert {i: n for i, n in counts.items() if n < 10} == {}


def test_held_out_never_copies_training(training, held_out) -> None:  # type: ignore[no-untyped-def]
    seen = {e.text.strip().lower() for e in training.examples}
    assert [e.text for e in held_out.examples if e.text.strip().lower() in seen] == []


def test_no_sentence_has_two_intents(training) -> None:  # type: ignore[no-untyped-def]
    # `rasa data validate` rejects the same example under two intents.
    owners: dict[str, set[str]] = {}
    for e in training.examples:
        owners.setdefault(e.text.strip().lower(), set()).add(e.intent)
    assert {t: i for t, i in owners.items() if len(i) > 1} == {}


def test_annotations_use_known_entities(training, held_out) -> None:  # type: ignore[no-untyped-def]
    for data in (training, held_out):
        for e in data.examples:
            for span in e.entities:
                assert span.entity in ENTITIES, e.text
                assert e.text[span.start : span.end] == span.text


def test_lookups_cover_the_communes_and_trades(training) -> None:  # type: ignore[no-untyped-def]
    communes = set(training.lookups["commune"])
    assert {"Dunkerque", "Grande-Synthe", "Gravelines", "Zuydcoote", "Spycker"} <= communes
    assert {"soudeur", "cariste", "docker", "chauffeur poids lourd"} <= set(
        training.lookups["trade"]
    )
    assert training.synonyms["st pol"] == "saint_pol"


def test_yaml_round_trip(training) -> None:  # type: ignore[no-untyped-def]
    again = load_yaml_text(to_yaml(training))
    assert again.examples == training.examples
    assert again.synonyms == training.synonyms
    assert again.lookups == training.lookups
