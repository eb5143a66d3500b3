"""The Espaces 20 000 emplois as the operator configures them (``config/espaces.yaml``).

What is not publicly known (address, phone, hours) stays ``None`` until the operator fills
it in: the assistant says it does not know rather than guess.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from capabilities.information.catalog import CatalogError

ESPACES_CONFIG = Path(__file__).resolve().parents[2] / "config" / "espaces.yaml"


class EspaceConfig(BaseModel):
    """One Espace 20 000 emplois as the operator configures it; ``None`` = not known yet."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    commune: str
    opened: str
    source: str
    as_of: str
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    phone: str | None = None
    opening_hours: str | None = None
    access_notes: str | None = None


def load_espaces(path: Path = ESPACES_CONFIG) -> list[EspaceConfig]:
    """The configured Espaces; unknown practical details stay ``None`` (never guessed)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        items = raw["espaces"] if isinstance(raw, dict) else None
        if not isinstance(items, list):
            raise CatalogError(f"{path.name}: une liste « espaces: » est attendue")
        return [EspaceConfig.model_validate(item) for item in items]
    except (yaml.YAMLError, ValidationError) as exc:
        raise CatalogError(f"{path.name}: {exc}") from exc
