"""The real content catalog, or — while content files are still being written on another
branch — the real files plus clearly-marked stub cards for the missing top/intent cards.

Only the Telegram adapter's end-to-end tests and benchmark use this: they exercise the
adapter and the assistant's machinery, not the wording of the content.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from flows.catalog import CONTENT_DIR, INTENT_CARDS, TOP_CARDS, Catalog, CatalogError, parse_catalog


def catalog_loader(workdir: Path) -> tuple[Callable[[], Catalog], list[str]]:
    """A loader for ``core.wiring.load_catalog`` and the ids that had to be stubbed."""
    try:
        catalog = parse_catalog(CONTENT_DIR)
    except CatalogError:
        pass
    else:
        return (lambda: catalog), []
    directory = workdir / "content"
    directory.mkdir(parents=True, exist_ok=True)
    present: set[str] = set()
    for path in CONTENT_DIR.glob("*.yaml"):
        shutil.copy(path, directory / path.name)
        present |= {card["id"] for card in yaml.safe_load(path.read_text())["cards"]}
    wanted = dict.fromkeys([*TOP_CARDS, *INTENT_CARDS.values()])
    missing = [card_id for card_id in wanted if card_id not in present]
    cards: dict[str, dict[str, Any]] = {
        card_id: {
            "id": card_id,
            "title": {"fr": f"Rubrique {card_id}"[:30]},
            "intro": {"fr": "Contenu de test (bouchon, pas un fait)."},
        }
        for card_id in missing
    }
    for card_id in missing:
        parent = card_id.rpartition(".")[0]
        if parent in cards:
            cards[parent].setdefault("children", []).append(card_id)
    (directory / "zz_test_stub.yaml").write_text(
        yaml.safe_dump({"cards": list(cards.values())}, allow_unicode=True)
    )
    catalog = parse_catalog(directory)
    return (lambda: catalog), missing
