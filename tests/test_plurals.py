"""Numbers shown to people and staff use the right plural (ngettext), never « (s) » forms."""

from __future__ import annotations

import re
from pathlib import Path

from capabilities.appointments.admin_checks import LEFT_OUT, Problem
from core.i18n import gettext_for, ngettext_for
from store import retention

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "bot", "capabilities", "console", "core", "scheduler", "sms", "store", "webchat")
# "(s)" glued to a word inside a string literal: a plural built by hand ("(e)" is gender).
HAND_PLURAL = re.compile(r"""["'][^"'\n]*\w\((?:s|x)\)[^"'\n]*["']""")
# Placeholders that are not counts (a marker replaced by SQL, URL schemes in messages).
ALLOWED = ("http(s)", "rencontre(s) physique(s)")


def test_no_string_builds_a_plural_by_hand() -> None:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            if path.suffix not in {".py", ".html"} or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                stripped = line.strip()
                if stripped.startswith("#"):
                    continue
                for match in HAND_PLURAL.finditer(line):
                    if not any(ok in match.group() for ok in ALLOWED):
                        found.append(f"{path.relative_to(ROOT)}:{number}: {match.group()}")
    assert not found, "use ngettext:\n" + "\n".join(found)


def test_a_booking_left_out_is_said_in_the_singular_and_the_plural() -> None:
    _, ngettext = gettext_for("fr"), ngettext_for("fr")
    one = Problem.counted("confirm", LEFT_OUT, 1, first="02/12/2026 à 9 h 00").text(_, ngettext)
    two = Problem.counted("confirm", LEFT_OUT, 2, first="02/12/2026 à 9 h 00").text(_, ngettext)
    assert one.startswith("1 rendez-vous déjà pris") and "ne serait plus couvert" in one
    assert two.startswith("2 rendez-vous déjà pris") and "ne seraient plus couverts" in two


def test_arabic_picks_its_own_plural_forms() -> None:
    ngettext = ngettext_for("ar")
    forms = {ngettext("{n} ligne supprimée", "{n} lignes supprimées", n) for n in (1, 2, 5, 11)}
    assert len(forms) == 4  # one, two, few, many: four different sentences


def test_the_retention_report_counts_in_words() -> None:
    one = retention.report(retention.Outcome({"people": 1}), dry_run=False)
    many = retention.report(retention.Outcome({"people": 3}), dry_run=True)
    assert "people : 1 ligne supprimée" in one
    assert "people : 3 lignes à supprimer" in many
