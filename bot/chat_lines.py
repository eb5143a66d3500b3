"""One line of ``python -m bot chat --jsonl``: checked, with a French reason when it is wrong.

A line is a JSON object ``{"user": …, "text": …}`` or ``{"user": …, "button": …}``. Any
other shape — a number where a text is expected, a list, deeply nested JSON, ``1e999`` —
is refused with a sentence that says which field is wrong, never Python's own message.
"""

from __future__ import annotations

import json
from typing import Any

from core.safe_input import valid_text

Parsed = tuple[str, str | None, str | None]
MAX_LINE = 1_000_000  # characters; a longer line is refused before it is parsed


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "un booléen"
    if isinstance(value, int | float):
        return "un nombre"
    if isinstance(value, list):
        return "une liste"
    if isinstance(value, dict):
        return "un objet"
    if value is None:
        return "null"
    return "un texte"


def _text_field(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name)
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"le champ « {name} » doit être un texte (reçu : {_kind(value)})")


def parse_line(line: str) -> Parsed | str:
    """``(user, text, button)``, or the French reason why the line cannot be used."""
    if len(line) > MAX_LINE:
        return "la ligne est trop longue"
    try:
        item = json.loads(line)
    except RecursionError:
        return "le JSON est trop imbriqué"
    except ValueError:
        return "ce n'est pas du JSON valide"
    if not isinstance(item, dict):
        return f"la ligne doit être un objet JSON (reçu : {_kind(item)})"
    if "user" not in item:
        return "il manque le champ « user »"
    user = item["user"]
    if isinstance(user, bool) or not isinstance(user, str | int) or user == "":
        return f"le champ « user » doit être un texte non vide (reçu : {_kind(user)})"
    try:
        text, button = _text_field(item, "text"), _text_field(item, "button")
    except ValueError as exc:
        return str(exc)
    if text is None and button is None:
        return "il faut un champ « text » ou « button »"
    return valid_text(str(user)), text, button
