"""Facts about dates now past are never written in the future tense.

A sourced fact says "ouvre en juillet 2025" when the source was written; read in December
2026 it misleads. The content is checked against the clock: a future-tense phrase followed by
a date already past must be reworded with its source ("devait ouvrir", "depuis").
"""

from __future__ import annotations

import calendar
import re
from datetime import date

import pytest

from capabilities.information.catalog import Catalog, load_catalog
from core.clock import to_paris, utcnow

MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ),
        start=1,
    )
}
FUTURE = re.compile(
    r"\b(ouvre|ouvrira|ouvriront|sera|seront|va|vont|prévue?s?|débute|débutera|démarre|"
    r"démarrera|commence|commencera|aura lieu|d'ici|vise|visés?|attendus?|arrive|arrivera)\b"
    r"(?P<tail>[^.;:]{0,40})",
    re.IGNORECASE,
)
DATE = re.compile(r"(?:(?P<month>" + "|".join(MONTHS) + r")\s+)?(?P<year>20\d\d)", re.IGNORECASE)


def _last_day(year: int, month: int | None) -> date:
    month = month or 12
    return date(year, month, calendar.monthrange(year, month)[1])


def stale_future(text: str, today: date) -> list[str]:
    """Future-tense phrases of ``text`` about a date before ``today``."""
    stale = []
    for match in FUTURE.finditer(text):
        found = DATE.search(match.group("tail"))
        if found is None:
            continue
        month = MONTHS.get((found.group("month") or "").lower())
        if _last_day(int(found.group("year")), month) < today:
            stale.append(match.group(0).strip())
    return stale


def stale_facts(catalog: Catalog, today: date) -> list[tuple[str, str]]:
    """``(card id, phrase)`` for every French fact still in the future about the past."""
    return [
        (card_id, phrase)
        for card_id in catalog.ids
        for fact in catalog.card(card_id).facts
        for phrase in stale_future(fact.text["fr"], today)
    ]


@pytest.mark.parametrize(
    ("text", "today", "stale"),
    [
        ("Un second Espace ouvre en juillet 2025 à la gare.", date(2026, 12, 3), True),
        ("Un second Espace ouvre en juillet 2025 à la gare.", date(2025, 6, 30), False),
        ("Un second Espace ouvre en juillet 2025 à la gare.", date(2025, 7, 31), False),
        ("Un second Espace ouvre en juillet 2025 à la gare.", date(2025, 8, 1), True),
        ("Verkor vise 1 200 personnes d'ici 2027.", date(2026, 12, 3), False),
        ("Verkor vise 1 200 personnes d'ici 2027.", date(2028, 1, 1), True),
        (
            "Depuis le 1er septembre 2025, le CMG dépend de vos ressources.",
            date(2026, 12, 3),
            False,
        ),
        ("Un second Espace devait ouvrir en juillet 2025.", date(2026, 12, 3), False),
    ],
)
def test_the_check_follows_the_clock(text: str, today: date, stale: bool) -> None:
    assert bool(stale_future(text, today)) is stale


def test_no_fact_speaks_of_a_past_date_in_the_future_today() -> None:
    assert stale_facts(load_catalog(), to_paris(utcnow()).date()) == []


def test_no_fact_speaks_of_a_past_date_in_the_future_on_the_project_date() -> None:
    assert stale_facts(load_catalog(), date(2026, 12, 3)) == []


def test_the_second_espace_is_told_with_its_source_not_as_news() -> None:
    text = load_catalog().render("espaces.places", "fr").text
    assert "ouvre en juillet 2025" not in text
    assert "Selon la CUD (2025) : un second Espace devait ouvrir en juillet 2025" in text


def test_jobs_without_a_diploma_list_only_the_trades_the_sources_name() -> None:
    rendered = load_catalog().render("trades.nodiploma", "fr")
    children = [card_id for card_id, _title in rendered.children]
    assert children == ["trades.op_ligne", "trades.op_batteries"]
    for needs_a_licence in ("trades.cariste", "trades.chauffeur_pl", "trades.logistics"):
        assert needs_a_licence not in children
    assert "demandez à un conseiller ce qu'il faut" in rendered.text
