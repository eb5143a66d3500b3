"""The price of an SMS segment, from ``config/sms.yaml`` (an estimate for the indicators)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

PATH = Path(__file__).resolve().parent.parent / "config" / "sms.yaml"


@dataclass(frozen=True)
class SmsPrice:
    """Euros per segment, and whether the value is still a placeholder."""

    per_segment_eur: float
    placeholder: bool

    def cost(self, segments: int) -> float:
        """The estimated cost of ``segments`` segments, in euros."""
        return round(segments * self.per_segment_eur, 2)


def parse_price(data: object) -> SmsPrice:
    """Validated values (a wrong file names the key to fix)."""
    if not isinstance(data, dict):
        raise ValueError("config/sms.yaml: expected a mapping")
    price = data.get("price_per_segment_eur")
    if not isinstance(price, int | float) or isinstance(price, bool) or not 0 <= price < 1:
        raise ValueError("config/sms.yaml: price_per_segment_eur must be a number of euros < 1")
    placeholder = data.get("placeholder", True)
    if not isinstance(placeholder, bool):
        raise ValueError("config/sms.yaml: placeholder must be true or false")
    return SmsPrice(float(price), placeholder)


@lru_cache(maxsize=1)
def sms_price(path: Path = PATH) -> SmsPrice:
    """The configured price (read once)."""
    return parse_price(yaml.safe_load(path.read_text(encoding="utf-8")))
