"""The one normaliser and the one edit distance (core.text), and who relies on them."""

from __future__ import annotations

import pytest

from capabilities.handoff.distress import is_distress, normalise
from capabilities.information.catalog import GAZETTEER_EXTRACTOR, load_catalog
from core.text import fold, key, plain, plain_offsets, typo_distance, typo_limit
from nlu.engine import DATA_DIR
from nlu.entities import GAZETTEER, Gazetteer
from nlu.normalize import normalize_chars
from nlu.trainingdata import load_directory


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Après-Demain", "apres-demain"),
        ("aujourd’hui", "aujourd'hui"),
        ("l`ÉCOLE ʼici", "l'ecole 'ici"),
        ("Cœur, STRAßE", "coeur, strasse"),
        ("ﬁn", "fin"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_plain_form_keeps_offsets_into_the_original() -> None:
    text = "Œuvre à l’Espace, 24.11 ?"
    norm, index = plain_offsets(text)
    assert norm == "oeuvre a l espace  24/11 ?"
    assert len(norm) == len(index)
    assert text[index[norm.index("espace")]] == "E"
    assert index[0] == index[1] == 0  # "œ" is two letters of one character
    assert plain("2026-11-26 et rendez-vous") == "2026/11/26 et rendez vous"
    assert normalize_chars(text) == (norm, list(index))  # the NLU reads the same form


def test_key_is_words_only() -> None:
    assert key("  L'Électricien !! ") == "l electricien"
    assert key("?!") == ""


@pytest.mark.parametrize(
    ("word", "limit"),
    [("cap", 0), ("soude", 1), ("soudeurs", 1), ("chaudronier", 2), ("technicien de maint", 2)],
)
def test_one_typo_rule(word: str, limit: int) -> None:
    assert typo_limit(word) == limit


def test_typo_distance_counts_swaps_as_one_and_refuses_beyond_the_limit() -> None:
    assert typo_distance("soudeur", "soudeur") == 0
    assert typo_distance("suodeur", "soudeur") == 1  # two letters swapped
    assert typo_distance("chaudroniers", "chaudronnier") == 2
    assert typo_distance("coffreur", "coiffeur") is None  # 2 typos in 8 letters
    assert typo_distance("cap", "cat") is None  # short words: exact only


def test_distress_reads_the_folded_text() -> None:
    assert normalise("J’ai  ENVIE de   mourir") == "j'ai envie de mourir "
    assert is_distress("Je dors DEHORS ce soir")
    assert is_distress("expulsée aujourd’hui")


def test_every_trade_the_nlu_names_is_found_without_a_second_fuzzy_match() -> None:
    assert GAZETTEER_EXTRACTOR == GAZETTEER
    catalog = load_catalog()
    gazetteer = Gazetteer.build(load_directory(DATA_DIR))
    values = {value for entity, value in gazetteer.terms.values() if entity == "trade"}
    generic = {"monteur"}  # several trades: the trades list is the right answer
    for value in values - generic:
        assert catalog.find_trade(value, fuzzy=False), value
    entity = {"entity": "trade", "value": "pilote d'installation", "extractor": GAZETTEER}
    assert catalog.trade_of([entity]) == "trades.pilote_energie"
    raw = {"entity": "trade", "value": "soudeure", "extractor": "DIETClassifier"}
    assert catalog.trade_of([raw]) == "trades.soudeur"  # Rasa's raw mention: fuzzy here
    assert catalog.trade_of([{**raw, "extractor": GAZETTEER}]) is None
