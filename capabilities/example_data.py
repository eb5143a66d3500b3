"""Which configuration files still hold example (invented) values.

``python -m bot`` with a Telegram token refuses to serve real people while any of them is an
example, unless ``ALLOW_EXAMPLE_DATA=1``: then the bookings say they are a demonstration
(:mod:`capabilities.appointments.demo`) and the hand-off never states the hours.
"""

from __future__ import annotations

from pathlib import Path

import yaml

CONFIG = Path(__file__).resolve().parents[1] / "config"

# file name → (the flag that marks it, what it holds, in plain French for the operator)
FLAGS: dict[str, tuple[str, str]] = {
    "appointments.yaml": ("example", "les horaires et créneaux de rendez-vous"),
    "espaces.yaml": ("example", "les coordonnées des Espaces"),
    "counsellor_hours.yaml": ("placeholder", "les horaires des conseillers"),
}


def _flag(path: Path, key: str) -> bool:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False  # a missing or broken file is reported by its own loader
    return isinstance(raw, dict) and bool(raw.get(key, False))


def example_files(config_dir: Path | None = None) -> list[tuple[str, str]]:
    """``(file, what it holds)`` for every configuration file still marked as an example."""
    folder = config_dir or CONFIG
    return [(name, what) for name, (key, what) in FLAGS.items() if _flag(folder / name, key)]


def refusal(files: list[tuple[str, str]]) -> str:
    """The start-up message naming what is an example and how to go on anyway."""
    lines = [
        "Refus de démarrer Telegram : des données d'exemple seraient présentées comme réelles.",
        *(f"  - config/{name} : {what} sont des exemples" for name, what in files),
        "Remplacez ces valeurs par les vraies et passez le drapeau à false,",
        "ou, pour une démonstration, relancez avec ALLOW_EXAMPLE_DATA=1",
        "(chaque réservation dira alors que c'est une démonstration).",
    ]
    return "\n".join(lines)


def warning(files: list[tuple[str, str]]) -> str:
    """The line logged when ``ALLOW_EXAMPLE_DATA=1`` lets the demonstration start."""
    names = ", ".join(f"config/{name}" for name, _what in files)
    return f"ALLOW_EXAMPLE_DATA=1 : démonstration avec des données d'exemple ({names})."
