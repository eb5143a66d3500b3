"""The rules of « Faire le point » (``config/plan.yaml``) and the pure function that applies them.

:func:`plan` turns the person's answers into 3 to 5 steps. It reads nothing but its arguments:
the answers, the content catalogue (to check cards and find trade cards), the agenda (the
Espaces and motifs that can be booked) and today's date (rules can expire). A skipped answer
is simply absent; an unknown value (an old button, a forged payload) counts as skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal, Protocol

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from core.text import fold

PLAN_CONFIG = Path(__file__).resolve().parents[2] / "config" / "plan.yaml"

# Every question and the answers it accepts ("trades" takes trade card ids, checked apart).
CHOICES: dict[str, tuple[str, ...]] = {
    "goal": ("job", "training", "info", "change"),
    "age": ("under26", "26to49", "50plus"),
    "diploma": ("none", "cap", "bac", "higher"),
    "licence": ("car", "nocar", "none"),
    "children": ("none", "under3", "older"),
    "status": ("rsa", "ft", "none"),
    "constraint": ("none", "hours", "health", "mobility"),
    "layoff": ("true",),
}
WILDCARD = "*"  # in a rule: "any answer given" (trades)
Answers = Mapping[str, Any]
Localized = dict[str, str]


class PlanConfigError(ValueError):
    """``config/plan.yaml`` is not valid (a rule names an unknown answer, no source…)."""


def _conditions(cls: type, value: dict[str, list[Any]]) -> dict[str, list[str]]:
    """A rule's ``when``/``unless``: only known answers and values (``*`` = any answer)."""
    out: dict[str, list[str]] = {}
    for key, accepted in (value or {}).items():
        words = [str(item).lower() for item in accepted]
        allowed = CHOICES.get(key)
        if key != "trades" and allowed is None:
            raise ValueError(f"unknown answer {key!r}")
        for word in words:
            if allowed is not None and word not in allowed and word != WILDCARD:
                raise ValueError(f"{key}: unknown value {word!r}")
        out[key] = words
    return out


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reliance(_Model):
    """A fact the rule relies on, with its source."""

    fact: str
    source: str

    @field_validator("source")
    @classmethod
    def _sourced(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("every fact needs its source")
        return value


class Target(_Model):
    """What the step is: a card, a booking of a motif, or the card of the trade chosen."""

    card: str | None = None
    book: str | None = None
    trade: bool = False

    @model_validator(mode="after")
    def _one(self) -> Target:
        if sum((self.card is not None, self.book is not None, self.trade)) != 1:
            raise ValueError("a step is exactly one of card, book or trade")
        return self


class Rule(_Model):
    """One rule: when the answers match, propose this step."""

    id: str
    rank: int
    when: dict[str, list[str]] = {}
    unless: dict[str, list[str]] = {}
    step: Target
    why: Localized
    relies_on: list[Reliance]
    fallback: bool = False
    until: date | None = None

    _known = field_validator("when", "unless", mode="before")(_conditions)

    @field_validator("relies_on")
    @classmethod
    def _relies(cls, value: list[Reliance]) -> list[Reliance]:
        if not value:
            raise ValueError("a rule names the facts it relies on")
        return value

    @field_validator("why")
    @classmethod
    def _french(cls, value: Localized) -> Localized:
        if not value.get("fr", "").strip():
            raise ValueError("every text has its French version")
        return value


class Check(_Model):
    """Answers that contradict each other: a note for the counsellor."""

    id: str
    when: dict[str, list[str]]
    note: Localized

    _known = field_validator("when", mode="before")(_conditions)


class PlanRules(_Model):
    """The whole file."""

    max_steps: int = 5
    min_steps: int = 3
    rules: list[Rule]
    checks: list[Check] = []


@dataclass(frozen=True)
class Bookable:
    """An Espace of the agenda."""

    id: str
    name: str
    commune: str


@dataclass(frozen=True)
class Agenda:
    """What can be booked: the active Espaces and motif ids."""

    espaces: tuple[Bookable, ...]
    motifs: frozenset[str]


class Catalogue(Protocol):
    """The part of :class:`capabilities.information.catalog.Catalog` the plan reads."""

    def __contains__(self, card_id: object) -> bool: ...


@dataclass(frozen=True)
class Step:
    """One step of the plan: a card to read or a motif to book (at ``espace`` when known)."""

    rule: str
    kind: Literal["card", "book"]
    target: str  # card id or motif id
    why: Localized
    sources: tuple[str, ...]
    espace: str | None = None

    @property
    def key(self) -> str:
        """Identifies the step in indicators and payloads: ``card:<id>`` or ``book:<motif>``."""
        return f"{self.kind}:{self.target}"


@dataclass(frozen=True)
class Plan:
    """The steps, and the notes for the counsellor when answers contradict each other."""

    steps: tuple[Step, ...]
    notes: tuple[Localized, ...] = ()


@cache
def load_rules(path: Path = PLAN_CONFIG) -> PlanRules:
    """The rules file, checked (cached: it does not change while the process runs)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return PlanRules.model_validate(raw)
    except (OSError, yaml.YAMLError, ValidationError) as error:
        raise PlanConfigError(f"{path}: {error}") from error


def clean(answers: Answers) -> dict[str, Any]:
    """Only the known answers with known values; ``trades`` a list of strings."""
    out: dict[str, Any] = {}
    for key, allowed in CHOICES.items():
        value = answers.get(key)
        if value is True:
            value = "true"
        if isinstance(value, str) and value.lower() in allowed:
            out[key] = value.lower()
    trades = answers.get("trades")
    if isinstance(trades, list):
        picked = [t for t in trades if isinstance(t, str) and t.startswith("trades.")]
        if picked:
            out["trades"] = list(dict.fromkeys(picked))[:3]
    commune = answers.get("commune")
    if isinstance(commune, str) and commune.strip():
        out["commune"] = commune.strip()[:60]
    return out


def _matches(condition: Mapping[str, list[str]], answers: Mapping[str, Any]) -> bool:
    for key, accepted in condition.items():
        given = answers.get(key)
        if given is None:
            return False
        values = given if isinstance(given, list) else [given]
        if WILDCARD in accepted:
            continue
        if not set(values) & set(accepted):
            return False
    return True


def _blocked(condition: Mapping[str, list[str]], answers: Mapping[str, Any]) -> bool:
    return any(_matches({key: accepted}, answers) for key, accepted in condition.items())


def nearest(agenda: Agenda, commune: str | None) -> str | None:
    """The Espace in the person's commune; ``None`` when unknown (the person picks one).

    No Espace has published coordinates yet (``config/espaces.yaml``), so "nearest" is the
    same commune, never a guess.
    """
    if not commune:
        return None
    wanted = fold(commune)
    for espace in agenda.espaces:
        if fold(espace.commune) == wanted:
            return espace.id
    return None


def _step(
    rule: Rule, answers: Mapping[str, Any], catalogue: Catalogue, agenda: Agenda
) -> Step | None:
    sources = tuple(item.source for item in rule.relies_on)
    if rule.step.book is not None:
        if rule.step.book not in agenda.motifs or not agenda.espaces:
            return None
        espace = nearest(agenda, answers.get("commune"))
        return Step(rule.id, "book", rule.step.book, rule.why, sources, espace)
    if rule.step.trade:
        card = next((t for t in answers.get("trades", []) if t in catalogue), None)
    else:
        card = rule.step.card
    if card is None or card not in catalogue:
        return None
    return Step(rule.id, "card", card, rule.why, sources)


def plan(
    answers: Answers,
    catalogue: Catalogue,
    agenda: Agenda,
    today: date,
    rules: PlanRules | None = None,
) -> Plan:
    """3 to 5 steps for these answers (fewer only if the catalogue and agenda lack them)."""
    rules = rules or load_rules()
    given = clean(answers)
    live = [
        r for r in sorted(rules.rules, key=lambda r: r.rank) if r.until is None or today <= r.until
    ]
    chosen: list[Step] = []
    seen: set[str] = set()

    def add(candidates: Iterable[Rule], upto: int) -> None:
        for rule in candidates:
            if len(chosen) >= upto:
                return
            step = _step(rule, given, catalogue, agenda)
            if step is not None and step.key not in seen:
                seen.add(step.key)
                chosen.append(step)

    matching = [r for r in live if not r.fallback and _matches(r.when, given)]
    add((r for r in matching if not _blocked(r.unless, given)), rules.max_steps)
    add((r for r in live if r.fallback), rules.min_steps)
    if not any(s.kind == "book" for s in chosen):  # someone to meet is always in the plan
        del chosen[rules.max_steps - 1 :]
        add((r for r in live if r.fallback and r.step.book is not None), rules.max_steps)
    books = [s for s in chosen if s.kind == "book"]
    if books and chosen[0].kind != "book":  # the first step is one tap away: a booking
        chosen.remove(books[0])
        chosen.insert(0, books[0])
    notes = tuple(c.note for c in rules.checks if _matches(c.when, given))
    return Plan(tuple(chosen), notes)
