"""The sourced content: info cards loaded from ``capabilities/information/content/*.yaml``.

Every figure, amount, rule or employer is a *fact* carrying its source and date; the loader
refuses a file where one is missing, so the bot never states something it cannot trace
(``docs/content.md``: the schema, the sourcing rule, the plain-French rules).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.text import key as text_key
from core.text import typo_distance

CONTENT_DIR = Path(__file__).resolve().parent / "content"

BASE_LOCALE = "fr"
TOP_CARDS = ("trades", "trainings", "transport", "housing", "childcare", "espaces", "rsa", "needs")
MAX_ID = 24  # the id travels in 64-byte button payloads
MAX_TITLE = 30  # the title is also a button label
MAX_RENDERED = 600  # a phone screen
GAZETTEER_EXTRACTOR = "EmbeddedGazetteer"  # nlu.entities: corrected trade names, not mentions

INTENT_CARDS: dict[str, str] = {
    "ask_trades": "trades",
    "ask_training": "trainings",
    "ask_prif": "trainings.prif",
    "ask_prf": "trainings.prf",
    "ask_funding": "trainings.funding",
    "ask_transport": "transport",
    "ask_driving_licence": "transport.licence",
    "ask_housing": "housing",
    "ask_childcare": "childcare",
    "ask_espace_info": "espaces",
    "ask_rsa": "rsa",
    "ask_youth": "youth",
}

_ID_RE = re.compile(r"^[a-z0-9_.]+$")
_AS_OF_RE = re.compile(r"^(\d{4}(-\d{2}(-\d{2})?)?|non datée \(consultée \d{4}-\d{2}\))$")
_AS_OF_DATE = re.compile(r"\d{4}(?:-\d{2}){0,2}")  # "2026-11" shows as "11/2026"
_SEED_RE = re.compile(r"^seed:[A-Za-z0-9_.-]+\.txt$")
_DIGIT_RE = re.compile(r"(?<![A-Za-z])\d")  # "EPR2", "H2V" are names, not figures
_YEAR_RE = re.compile(r"\b(19|20)\d{2}\b")  # a year is not a figure to source
_MORE = {"fr": "En savoir plus : ", "en": "More: "}  # the ROME record goes last (issue 15)

# libyaml's safe loader when built in (6x faster: the catalog loads at start-up).
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogError(ValueError):
    """The content files are invalid; the message names the file and the card."""


def _check_localized(value: dict[str, str]) -> dict[str, str]:
    if BASE_LOCALE not in value:
        raise ValueError("le français (fr) est obligatoire")
    for locale, text in value.items():
        if not re.fullmatch(r"[a-z]{2}", locale):
            raise ValueError(f"langue inconnue {locale!r}")
        if not text.strip():
            raise ValueError(f"texte vide en {locale!r}")
    return {locale: " ".join(text.split()) for locale, text in value.items()}


Localized = dict[str, str]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Fact(_Model):
    """One sourced statement: a figure, an amount, a rule, an employer, an address."""

    text: Localized
    source: Annotated[list[str], Field(min_length=1)]
    as_of: str

    @field_validator("text")
    @classmethod
    def _text(cls, value: Localized) -> Localized:
        return _check_localized(value)

    @field_validator("source", mode="before")
    @classmethod
    def _source(cls, value: object) -> object:
        sources = [value] if isinstance(value, str) else value
        if isinstance(sources, list):
            for source in sources:
                if not isinstance(source, str) or not (
                    _SEED_RE.match(source) or urlsplit(source).scheme in ("http", "https")
                ):
                    raise ValueError(
                        f"source invalide {source!r} (URL http(s) ou seed:fichier.txt)"
                    )
        return sources

    @field_validator("as_of")
    @classmethod
    def _as_of(cls, value: str) -> str:
        if not _AS_OF_RE.match(value):
            raise ValueError(
                f"as_of invalide {value!r} (AAAA[-MM[-JJ]] ou « non datée (consultée AAAA-MM) »)"
            )
        return value


class Official(_Model):
    """Where a person confirms an amount or a rule (an "en savoir plus" link button)."""

    label: Localized
    url: str

    @field_validator("label")
    @classmethod
    def _label(cls, value: Localized) -> Localized:
        return _check_localized(value)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if urlsplit(value).scheme != "https" and urlsplit(value).scheme != "http":
            raise ValueError(f"URL invalide {value!r}")
        return value


class Card(_Model):
    """One answer screen: a title (also its button label), facts, and where to go next."""

    id: str
    title: Localized
    intro: Localized | None = None
    facts: list[Fact] = []
    official: Official | None = None
    children: list[str] = []
    more: str | None = None
    unknown: Localized | None = None
    aliases: list[str] = []  # trade cards only: names and synonyms for find_trade

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID_RE.match(value) or len(value) > MAX_ID:
            raise ValueError(f"id invalide {value!r} ([a-z0-9_.], {MAX_ID} caractères au plus)")
        return value

    @field_validator("title")
    @classmethod
    def _title(cls, value: Localized) -> Localized:
        value = _check_localized(value)
        for locale, text in value.items():
            if len(text) > MAX_TITLE:
                raise ValueError(f"titre trop long en {locale} ({len(text)} > {MAX_TITLE})")
        return value

    @field_validator("intro", "unknown")
    @classmethod
    def _no_figures(cls, value: Localized | None) -> Localized | None:
        if value is None:
            return None
        value = _check_localized(value)
        if any(_DIGIT_RE.search(_YEAR_RE.sub("", text)) for text in value.values()):
            raise ValueError(
                "pas de chiffre (sauf une année) hors d'un fait sourcé (intro, unknown)"
            )
        return value


@dataclass(frozen=True, slots=True)
class RenderedCard:
    """A card ready for a channel: plain text plus the navigation it offers."""

    id: str
    text: str
    children: list[tuple[str, str]]  # (card id, title in the locale)
    more: str | None
    official: tuple[str, str] | None  # (label, url)
    fallback: bool  # True when some text was missing in the locale and French was used


def _locale_key(locale: str | None) -> str:
    return (locale or BASE_LOCALE).replace("_", "-").split("-")[0].lower() or BASE_LOCALE


def _pick(value: Localized, locale: str) -> tuple[str, bool]:
    if locale in value:
        return value[locale], False
    return value[BASE_LOCALE], locale != BASE_LOCALE


def _source_label(source: str) -> str:
    if source.startswith("seed:"):
        return "documents du projet"
    host = urlsplit(source).hostname or source
    return host.removeprefix("www.")


class Catalog:
    """All cards by id, with rendering in a locale and the trade-name lookup."""

    def __init__(self, cards: dict[str, Card], files: dict[str, str]) -> None:
        self._cards = cards
        self._files = files  # card id -> file name, for error messages
        self._aliases: dict[str, str] = {}
        for card in cards.values():
            if not card.aliases:
                continue
            names = [card.title[BASE_LOCALE], *card.aliases]
            for name in names:
                for part in re.split(r"[/,()]", name):
                    key = text_key(part)
                    if len(key) >= 3:
                        self._aliases.setdefault(key, card.id)

    @property
    def ids(self) -> list[str]:
        """Every card id, in file order."""
        return list(self._cards)

    def card(self, card_id: str) -> Card:
        """The card with this id; ``KeyError`` when it does not exist (forged payload)."""
        return self._cards[card_id]

    def __contains__(self, card_id: object) -> bool:
        return card_id in self._cards

    def file_of(self, card_id: str) -> str:
        """The content file a card comes from (for reports and error messages)."""
        return self._files[card_id]

    def render(
        self, card_id: str, locale: str | None = BASE_LOCALE, details: list[str] | None = None
    ) -> RenderedCard:
        """The card's text for a phone screen, in the locale or in French when missing.

        ``details`` (already translated) replace the card's "unknown" line: what the
        operator filled in since (the Espaces' practical details), honest about the rest.
        """
        card = self.card(card_id)
        lang = _locale_key(locale)
        fallback = False

        def pick(value: Localized) -> str:
            nonlocal fallback
            text, fell_back = _pick(value, lang)
            fallback = fallback or fell_back
            return text

        lines = [pick(card.title)]
        if card.intro:
            lines.append(pick(card.intro))
        rome = [f for f in card.facts if f.text[BASE_LOCALE].startswith("Fiche ROME ")]
        lines.extend(f"• {pick(fact.text)}" for fact in card.facts if fact not in rome)
        lines.extend(_MORE.get(lang, _MORE[BASE_LOCALE]) + pick(f.text) for f in rome)
        if details is not None:
            lines.extend(details)
        elif card.unknown:
            lines.append(pick(card.unknown))
        sources: list[str] = []
        for fact in card.facts:  # who said it and when, in one footer line (issue 15)
            when = "/".join(reversed(_AS_OF_DATE.findall(fact.as_of)[-1].split("-")))
            said = fact.as_of[:4] in fact.text[BASE_LOCALE]  # "Selon X (mai 2024)" says it
            for label in (_source_label(s) + ("" if said else f" ({when})") for s in fact.source):
                seen = {known.split(" (")[0] for known in sources}  # one entry per site
                sources.extend([] if label.split(" (")[0] in seen else [label])
        if sources:
            lines.append(
                ("Sources : " if lang == BASE_LOCALE or fallback else "Sources: ")
                + ", ".join(sources)
            )
        children = [(child, pick(self.card(child).title)) for child in card.children]
        official = (pick(card.official.label), card.official.url) if card.official else None
        return RenderedCard(
            id=card.id,
            text="\n".join(lines),
            children=children,
            more=card.more,
            official=official,
            fallback=fallback,
        )

    def trade_names(self) -> list[str]:
        """The French titles of the trade detail cards (a lookup table for the NLU)."""
        return [card.title[BASE_LOCALE] for card in self._cards.values() if card.aliases]

    def trade_aliases(self) -> dict[str, str]:
        """Normalised trade name or synonym -> trade card id."""
        return dict(self._aliases)

    def find_trade(self, text: str, *, fuzzy: bool = True) -> str | None:
        """The trade card a mention points to ("soudeure", "CHAUDRONIER"…), or None.

        ``fuzzy=False`` for a name already corrected (the NLU's gazetteer values): typos
        are then looked for once per message, not twice.
        """
        words = text_key(text).split()
        if not words:
            return None
        exact = self._aliases.get(" ".join(words))
        if exact or not fuzzy:
            return exact
        best: tuple[int, int, str] | None = None  # (-distance, words covered, card id)
        for size in (3, 2, 1):
            for start in range(len(words) - size + 1):
                phrase = " ".join(words[start : start + size])
                for alias, card_id in self._aliases.items():
                    distance = typo_distance(phrase, alias)
                    if distance is not None:
                        candidate = (-distance, size, card_id)
                        if best is None or candidate[:2] > best[:2]:
                            best = candidate
        return best[2] if best else None

    def trade_of(self, entities: Iterable[Mapping[str, Any]]) -> str | None:
        """The trade card of the first ``trade`` entity of a parse (Rasa shape), or None.

        A value from the embedded gazetteer is already a corrected name: looked up as is.
        """
        for item in entities:
            if item.get("entity") == "trade" and item.get("value"):
                canonical = item.get("extractor") == GAZETTEER_EXTRACTOR
                return self.find_trade(str(item["value"]), fuzzy=not canonical)
        return None


def _load_file(path: Path) -> list[Card]:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path.name}: YAML illisible : {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("cards"), list):
        raise CatalogError(f"{path.name}: le fichier doit contenir une liste « cards: »")
    cards: list[Card] = []
    for index, item in enumerate(raw["cards"]):
        card_id = item.get("id", f"#{index}") if isinstance(item, dict) else f"#{index}"
        try:
            cards.append(Card.model_validate(item))
        except ValidationError as exc:
            raise CatalogError(f"{path.name}: carte {card_id!r} : {exc}") from exc
        if cards[-1].aliases and path.name != "trades.yaml":
            raise CatalogError(f"{path.name}: carte {card_id!r} : aliases réservés à trades.yaml")
    return cards


def parse_catalog(directory: Path) -> Catalog:
    """Read and check every content file of a directory (no cache: tests use it)."""
    cards: dict[str, Card] = {}
    files: dict[str, str] = {}
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise CatalogError(f"{directory}: aucun fichier de contenu")
    for path in paths:
        for card in _load_file(path):
            if card.id in cards:
                raise CatalogError(
                    f"{path.name}: carte {card.id!r} : id déjà utilisé dans {files[card.id]}"
                )
            cards[card.id] = card
            files[card.id] = path.name
    for top in TOP_CARDS:
        if top not in cards:
            raise CatalogError(f"carte principale {top!r} absente")
    for intent, target in INTENT_CARDS.items():
        if target not in cards:
            raise CatalogError(f"intention {intent} : carte {target!r} absente")
    for card in cards.values():
        for target in [*card.children, *([card.more] if card.more else [])]:
            if target not in cards:
                raise CatalogError(
                    f"{files[card.id]}: carte {card.id!r} : renvoie à {target!r} qui n'existe pas"
                )
    reachable: set[str] = set()
    todo = list(TOP_CARDS)
    while todo:
        current = todo.pop()
        if current in reachable:
            continue
        reachable.add(current)
        card = cards[current]
        todo.extend([*card.children, *([card.more] if card.more else [])])
    for card_id in cards:
        if card_id not in reachable:
            raise CatalogError(f"{files[card_id]}: carte {card_id!r} : inaccessible depuis le menu")
    return Catalog(cards, files)


@lru_cache(maxsize=4)
def load_catalog(directory: Path = CONTENT_DIR) -> Catalog:
    """The checked catalog, loaded once per process."""
    return parse_catalog(directory)
