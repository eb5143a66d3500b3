"""« Faire le point »: typical situations → the plan a counsellor would propose."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from capabilities.appointments.config import load_config
from capabilities.information.catalog import load_catalog
from capabilities.plan.rules import (
    CHOICES,
    Agenda,
    Bookable,
    PlanConfigError,
    load_rules,
    plan,
)

CATALOG = load_catalog()
AGENDA = Agenda(
    espaces=(
        Bookable("saint_pol", "Espace de Saint-Pol-sur-Mer", "Saint-Pol-sur-Mer"),
        Bookable("gare", "Espace de la gare de Dunkerque", "Dunkerque"),
    ),
    motifs=frozenset(m.id for m in load_config().motifs),
)
TODAY = date(2026, 12, 3)

# (situation, answers, steps expected in this order — a prefix is enough when noted with "…")
SITUATIONS: list[tuple[str, dict[str, Any], list[str]]] = [
    (
        "22 ans, sans diplôme ni permis, cherche un emploi",
        {"goal": "job", "age": "under26", "diploma": "none", "licence": "none", "status": "none"},
        ["book:conseil", "card:transport.licence", "card:trades.nodiploma"],
    ),
    (
        "mère seule de deux enfants de moins de 3 ans, cherche une formation",
        {
            "goal": "training",
            "age": "26to49",
            "children": "under3",
            "status": "ft",
            "licence": "none",
        },
        [
            "book:info",
            "card:childcare.avip",
            "card:childcare.rpe",
            "card:transport.licence",
            "card:trainings.prif",
        ],
    ),
    (
        "soudeur de 52 ans après un licenciement",
        {
            "goal": "change",
            "age": "50plus",
            "diploma": "cap",
            "licence": "car",
            "status": "ft",
            "trades": ["trades.soudeur"],
            "layoff": "true",
        },
        [
            "book:conseil",
            "card:trades.soudeur",
            "card:trainings.prif",
            "card:trainings.funding",
            "card:trainings.industry",
        ],
    ),
    (
        "au RSA, veut travailler dans les usines de batteries, sans voiture",
        {
            "goal": "job",
            "age": "26to49",
            "status": "rsa",
            "licence": "nocar",
            "trades": ["trades.op_batteries"],
        },
        ["book:rsa", "card:transport.factories", "card:trades.op_batteries"],
    ),
    (
        "au RSA, batteries, avec voiture : pas de bus proposé",
        {"goal": "job", "status": "rsa", "licence": "car", "trades": ["trades.op_batteries"]},
        ["book:rsa", "card:trades.op_batteries", "card:trades.needs"],
    ),
    (
        "veut juste s'informer sur les métiers",
        {"goal": "info", "age": "26to49", "diploma": "bac", "licence": "car", "status": "none"},
        ["book:at_metiers", "card:trades.needs", "book:info"],
    ),
    (
        "parent d'enfants scolarisés, problème d'horaires",
        {"goal": "job", "children": "older", "constraint": "hours", "status": "ft"},
        ["book:conseil", "card:childcare.rpe", "card:trades.needs"],
    ),
    (
        "problème de santé, veut changer de métier",
        {"goal": "change", "age": "50plus", "constraint": "health", "diploma": "higher"},
        ["book:at_metiers", "card:trainings.prif", "book:conseil"],
    ),
    (
        "sans moyen de transport, maintenance",
        {
            "goal": "job",
            "constraint": "mobility",
            "licence": "none",
            "trades": ["trades.tech_maintenance"],
        },
        [
            "book:info",
            "card:transport.licence",
            "card:transport.dkbus",
            "card:trades.tech_maintenance",
        ],
    ),
    (
        "jeune de 19 ans qui veut une formation dans le bâtiment",
        {"goal": "training", "age": "under26", "diploma": "none", "trades": ["trades.coffreur"]},
        [
            "book:conseil",
            "card:trades.coffreur",
            "card:trades.nodiploma",
            "card:trainings.prif",
            "card:trainings.industry",
        ],
    ),
    ("tout passé", {}, ["book:info", "card:trades.needs", "card:espaces.activities"]),
    (
        "réponses inconnues (vieux boutons, données forgées) = passées",
        {"goal": "rocket", "age": 12, "trades": "soudeur", "status": ["rsa"]},
        ["book:info", "card:trades.needs", "card:espaces.activities"],
    ),
    (
        "contradiction : voiture mais souci de mobilité → le bus quand même",
        {"goal": "job", "licence": "car", "constraint": "mobility"},
        ["book:info", "card:transport.dkbus", "card:trades.needs"],
    ),
    (
        "métier inconnu du catalogue ignoré",
        {"goal": "job", "trades": ["trades.astronaute"]},
        ["book:info", "card:trades.needs", "card:espaces.activities"],
    ),
]


@pytest.mark.parametrize(
    ("situation", "answers", "expected"), SITUATIONS, ids=[s[0] for s in SITUATIONS]
)
def test_each_situation_gets_the_plan_a_counsellor_would_propose(
    situation: str, answers: dict[str, Any], expected: list[str]
) -> None:
    result = plan(answers, CATALOG, AGENDA, TODAY)
    assert [step.key for step in result.steps] == expected, situation
    assert 3 <= len(result.steps) <= 5
    assert result.steps[0].kind == "book"  # the first step: someone to meet, one tap away
    for step in result.steps:
        assert step.sources and all(source.strip() for source in step.sources)
        assert step.why["fr"] and step.why["en"]


def test_every_combination_of_answers_gives_three_to_five_distinct_sourced_steps() -> None:
    keys = ["goal", "age", "diploma", "licence", "children", "status", "constraint"]
    import itertools

    for values in itertools.product(*[(None, *CHOICES[k]) for k in keys]):
        answers = {k: v for k, v in zip(keys, values, strict=True) if v is not None}
        for extra in ({}, {"layoff": "true", "trades": ["trades.op_batteries"]}):
            steps = plan({**answers, **extra}, CATALOG, AGENDA, TODAY).steps
            assert 3 <= len(steps) <= 5, answers
            assert len({s.key for s in steps}) == len(steps)
            assert steps[0].kind == "book"


def test_contradictions_leave_a_note_for_the_counsellor() -> None:
    result = plan({"licence": "car", "constraint": "mobility"}, CATALOG, AGENDA, TODAY)
    assert [n["fr"] for n in result.notes] == [
        "Dit avoir permis et voiture, mais aussi un souci pour se déplacer."
    ]
    assert plan({"status": "rsa", "age": "under26"}, CATALOG, AGENDA, TODAY).notes
    assert not plan({"status": "rsa", "age": "50plus"}, CATALOG, AGENDA, TODAY).notes


def test_the_nearest_espace_is_the_one_of_the_commune_never_a_guess() -> None:
    near = plan({"status": "rsa", "commune": "saint-pol-sur-mer"}, CATALOG, AGENDA, TODAY)
    assert near.steps[0].espace == "saint_pol"
    unknown = plan({"status": "rsa", "commune": "Gravelines"}, CATALOG, AGENDA, TODAY)
    assert unknown.steps[0].espace is None  # the person picks the Espace


def test_without_espaces_or_motifs_no_booking_is_proposed() -> None:
    empty = Agenda(espaces=(), motifs=frozenset())
    steps = plan({"status": "rsa", "licence": "none"}, CATALOG, empty, TODAY).steps
    assert all(step.kind == "card" for step in steps)
    assert "card:transport.licence" in [s.key for s in steps]


def test_an_expired_rule_is_no_longer_proposed(tmp_path: Path) -> None:
    text = (Path(__file__).parents[2] / "config" / "plan.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "  - id: licence_aid\n    rank: 30\n",
        "  - id: licence_aid\n    rank: 30\n    until: 2026-01-31\n",
    )
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    rules = load_rules(path)
    keys = [s.key for s in plan({"licence": "none"}, CATALOG, AGENDA, TODAY, rules).steps]
    assert "card:transport.licence" not in keys
    keys = [
        s.key for s in plan({"licence": "none"}, CATALOG, AGENDA, date(2026, 1, 2), rules).steps
    ]
    assert "card:transport.licence" in keys


def test_every_rule_names_existing_cards_and_motifs_and_its_sources() -> None:
    rules = load_rules()
    for rule in rules.rules:
        if rule.step.card:
            assert rule.step.card in CATALOG, rule.id
        if rule.step.book:
            assert rule.step.book in AGENDA.motifs, rule.id
        assert rule.relies_on
    for trade in [t for r in rules.rules for t in r.when.get("trades", []) if t != "*"]:
        assert trade in CATALOG


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("when: {status: [rsa]}", "when: {statut: [rsa]}"),
        ("when: {status: [rsa]}", "when: {status: [millionaire]}"),
    ],
)
def test_a_rule_on_an_unknown_answer_is_refused(tmp_path: Path, broken: str, message: str) -> None:
    text = (Path(__file__).parents[2] / "config" / "plan.yaml").read_text(encoding="utf-8")
    path = tmp_path / "plan.yaml"
    path.write_text(text.replace(broken, message, 1), encoding="utf-8")
    with pytest.raises(PlanConfigError):
        load_rules(path)


def test_a_rule_without_source_is_refused(tmp_path: Path) -> None:
    text = (Path(__file__).parents[2] / "config" / "plan.yaml").read_text(encoding="utf-8")
    path = tmp_path / "plan.yaml"
    path.write_text(
        text.replace('source: "seed:ensemble-vers-l-emploi-rsa-2026-2027.txt"', 'source: " "', 1),
        encoding="utf-8",
    )
    with pytest.raises(PlanConfigError):
        load_rules(path)
