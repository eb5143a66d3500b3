"""Fill a catalog's empty (or fuzzy) entries from a JSON file of translations.

``python scripts/fill_catalog.py LOCALE translations.json``: the JSON maps a msgid to its
translation, or (for plural entries) the singular msgid to the list of plural forms. Existing
translations are kept unless ``--force``. Used to write the Arabic catalog (issue 17).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    force = "--force" in argv
    args = [a for a in argv if a != "--force"]
    locale, source = args[0], Path(args[1])
    path = ROOT / "locale" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    table = json.loads(source.read_text(encoding="utf-8"))
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key not in table:
            continue
        current = message.string
        empty = not all(current) if isinstance(current, tuple) else not current
        if not (empty or message.fuzzy or force):
            continue
        value = table[key]
        if isinstance(message.id, tuple):
            forms = value if isinstance(value, list) else [value]
            count = catalog.num_plurals
            message.string = tuple((forms + [forms[-1]] * count)[:count])
        else:
            message.string = value if isinstance(value, str) else value[0]
        message.flags.discard("fuzzy")
        filled += 1
    with path.open("wb") as handle:
        write_po(handle, catalog)
    print(f"{locale}: {filled} entries filled")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
