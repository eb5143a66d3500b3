"""The Rasa project files agree with the bot (fast checks, no Rasa needed).

What would go wrong otherwise: Rasa trained on intents the flows do not know, a fallback
threshold different from the bot's, a pipeline that downloads models or is not reproducible.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from core.settings import Settings
from nlu import ENTITIES, INTENTS
from nlu.trainingdata import load_directory

NLU = Path(__file__).resolve().parents[2] / "nlu"


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((NLU / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def components(config: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for step in config["pipeline"]:
        found.setdefault(step["name"], []).append(step)
    return found


def test_domain_lists_exactly_the_bots_intents_and_entities() -> None:
    domain = load("domain.yml")
    assert domain["intents"] == list(INTENTS)
    assert domain["entities"] == list(ENTITIES)
    assert set(load_directory(NLU / "data").intents) == set(INTENTS)


def test_pipeline_is_french_offline_reproducible_and_uses_the_bots_threshold() -> None:
    config = load("config.yml")
    steps = components(config)
    assert config["language"] == "fr"
    assert list(steps) == [
        "WhitespaceTokenizer",
        "RegexFeaturizer",
        "LexicalSyntacticFeaturizer",
        "CountVectorsFeaturizer",
        "DIETClassifier",
        "RegexEntityExtractor",
        "EntitySynonymMapper",
        "FallbackClassifier",
    ]
    analyzers = {s["analyzer"]: s for s in steps["CountVectorsFeaturizer"]}
    assert set(analyzers) == {"word", "char_wb"}
    assert all(s["strip_accents"] == "unicode" for s in analyzers.values())
    assert isinstance(steps["DIETClassifier"][0]["random_seed"], int)
    extractor = steps["RegexEntityExtractor"][0]
    assert extractor["use_lookup_tables"] is True
    assert extractor["use_regexes"] is True
    assert (
        steps["FallbackClassifier"][0]["threshold"]
        == Settings.model_fields["nlu_threshold"].default
    )


def test_lookups_and_regexes_are_named_after_entities() -> None:
    """The RegexEntityExtractor only extracts lookups/regexes named like an entity."""
    data = load_directory(NLU / "data")
    assert {"commune", "trade", "espace"} <= set(data.lookups)
    assert set(data.lookups) | set(data.regexes) <= set(ENTITIES)
