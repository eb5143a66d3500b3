"""The one CSV writer of every export (console downloads, compliance reports, bookings).

French spreadsheets open it as is: ``;`` between cells, a UTF-8 byte order mark first.
A text cell that a spreadsheet would run as a formula — one starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return — is written with a leading apostrophe, so a
participant called ``=HYPERLINK(…)`` is shown as text, never evaluated (OWASP "CSV
injection"). Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

DELIMITER = ";"
BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """The value to write: texts that start like a formula are neutralised."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]], *, bom: bool = True) -> str:
    """The CSV text: header row, then the rows, every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return (BOM if bom else "") + buffer.getvalue()


def csv_dicts(rows: Iterable[dict[str, object]], fields: Sequence[str]) -> str:
    """Rows given as dicts (missing keys are empty cells), in the order of ``fields``."""
    return csv_text(fields, ([row.get(name, "") for name in fields] for row in rows))
