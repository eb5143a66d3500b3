"""Entities: lookups, synonyms and typos; dates and times from French, offsets in the text."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from nlu.engine import EmbeddedEngine

PARIS = ZoneInfo("Europe/Paris")
MONDAY = datetime(2026, 11, 30, 10, 0, tzinfo=PARIS)  # a Monday, month end


def ents(engine: EmbeddedEngine, text: str, now: datetime = MONDAY) -> list[tuple[str, str, str]]:
    result = engine.parse(text, now)
    return [(e["entity"], e["value"], text[e["start"] : e["end"]]) for e in result["entities"]]


def values(engine: EmbeddedEngine, text: str, now: datetime = MONDAY) -> dict[str, str]:
    return {e: v for e, v, _ in ents(engine, text, now)}


@pytest.mark.parametrize(
    ("text", "trade"),
    [
        ("je veux être soudeuse", "soudeur"),
        ("formation chaudroniers", "chaudronnier"),  # typo + plural
        ("technicen de maintenance", "technicien de maintenance"),
        ("préparatrice de commande", "préparateur de commandes"),
        ("chauffeur PL", "chauffeur poids lourd"),
        ("docker au port", "docker"),
        ("electricienne", "électricien"),
    ],
)
def test_trades(engine: EmbeddedEngine, text: str, trade: str) -> None:
    assert values(engine, text)["trade"] == trade


def test_communes_and_their_parts(engine: EmbeddedEngine) -> None:
    assert values(engine, "j'habite Grande Synthe")["commune"] == "Grande-Synthe"
    assert values(engine, "un bus depuis Téteghem ?")["commune"] == "Téteghem-Coudekerque-Village"
    assert values(engine, "logement a malo")["commune"] == "Malo-les-Bains"
    assert values(engine, "je vis à Loon Plage")["commune"] == "Loon-Plage"


def test_espace_versus_town_of_saint_pol(engine: EmbeddedEngine) -> None:
    assert ents(engine, "rdv à l'espace de St-Pol")[0][:2] == ("espace", "saint_pol")
    assert ents(engine, "j'habite à saint pol sur mer")[0][:2] == ("commune", "Saint-Pol-sur-Mer")
    found = ents(engine, "un rdv à la gare de Dunkerque")
    assert found[0] == ("espace", "gare", "la gare de Dunkerque")
    assert [e for e in found if e[0] == "commune"] == []  # Dunkerque is part of the espace name


def test_offsets_point_into_the_original_text(engine: EmbeddedEngine) -> None:
    text = "👋 Rendez-vous à l'Espace de Saint-Pol-sur-Mer après-demain à 9h30 ?"
    found = ents(engine, text)
    assert ("espace", "saint_pol", "Saint-Pol-sur-Mer") in found
    assert ("date", "2026-12-02", "après-demain") in found
    assert ("time", "09:30", "à 9h30") in found


def test_duplicates_are_merged(engine: EmbeddedEngine) -> None:
    found = ents(engine, "soudeur, soudeur ou soudeuse ?")
    assert [e[:2] for e in found] == [("trade", "soudeur")]


@pytest.mark.parametrize(
    ("text", "now", "date"),
    [
        ("demain", MONDAY, "2026-12-01"),
        ("après-demain", MONDAY, "2026-12-02"),
        ("apres demain", MONDAY, "2026-12-02"),
        ("aujourd'hui", MONDAY, "2026-11-30"),
        # said on a Monday morning, "lundi" is today (core.dates: until the Espaces close)
        ("lundi", MONDAY, "2026-11-30"),
        ("lundi", datetime(2026, 11, 30, 18, tzinfo=PARIS), "2026-12-07"),
        ("lundi prochain", MONDAY, "2026-12-07"),
        ("mardi prochain", MONDAY, "2026-12-01"),
        ("jeudi en huit", MONDAY, "2026-12-10"),
        ("le 3 décembre", MONDAY, "2026-12-03"),
        ("3/12", MONDAY, "2026-12-03"),
        ("le 1er", MONDAY, "2026-12-01"),
        ("dans 3 jours", MONDAY, "2026-12-03"),
        # month end and year end
        ("demain", datetime(2026, 1, 31, 9, tzinfo=PARIS), "2026-02-01"),
        ("le 31", datetime(2026, 2, 10, 9, tzinfo=PARIS), "2026-03-31"),
        ("le 5 janvier", datetime(2026, 12, 30, 9, tzinfo=PARIS), "2027-01-05"),
        ("le 29 février", datetime(2027, 12, 30, 9, tzinfo=PARIS), "2028-02-29"),
        # 23:30 UTC on Nov 30 is already Dec 1 in Paris
        ("demain", datetime(2026, 11, 30, 23, 30, tzinfo=UTC), "2026-12-02"),
    ],
)
def test_dates(engine: EmbeddedEngine, text: str, now: datetime, date: str) -> None:
    assert values(engine, text, now)["date"] == date


@pytest.mark.parametrize("text", ["le 31 février", "le 30/02", "32/12", "rdv le 31 avril"])
def test_impossible_dates_give_no_date(engine: EmbeddedEngine, text: str) -> None:
    assert "date" not in values(engine, text)


@pytest.mark.parametrize(
    ("text", "time"),
    [
        ("à 14h30", "14:30"),
        ("14h", "14:00"),
        ("vers 10 h", "10:00"),
        ("à 9:15", "09:15"),
        ("à 2h", "14:00"),
        ("2h du matin", "02:00"),
        ("midi", "12:00"),
        ("en fin de matinée", "11:00"),
        ("cet aprem", "14:00"),
        ("dans la matinée", "10:00"),
    ],
)
def test_times(engine: EmbeddedEngine, text: str, time: str) -> None:
    assert values(engine, text)["time"] == time


def test_periods_carry_a_range(engine: EmbeddedEngine) -> None:
    result: dict[str, Any] = engine.parse("en fin de matinée", MONDAY)
    info = result["entities"][0]["additional_info"]
    assert info == {"from": "10:30", "to": "12:00", "approximate": True}


@pytest.mark.parametrize("text", ["2h de trajet", "35 heures par semaine", "24h/24", "15 ans"])
def test_durations_are_not_times(engine: EmbeddedEngine, text: str) -> None:
    assert "time" not in values(engine, text)
