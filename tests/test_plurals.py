"""Numbers shown to people and staff use the right plural (ngettext), never « (s) » forms."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

from capabilities.appointments.admin_checks import LEFT_OUT, Problem
from capabilities.programme import reasons
from capabilities.programme.weeks import meetings_missed_reason, meetings_not_planned_reason
from core.i18n import gettext_for, ngettext_for, set_staff_locale
from store import retention

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "bot", "capabilities", "console", "core", "scheduler", "sms", "store", "webchat")
# "(s)" glued to a word inside a string literal: a plural built by hand ("(e)" is gender).
HAND_PLURAL = re.compile(r"""["'][^"'\n]*\w\((?:s|x)\)[^"'\n]*["']""")
# Placeholders that are not counts (URL schemes in messages).
ALLOWED = ("http(s)",)


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


# A count placeholder in a string given to gettext (not ngettext): a plural chosen by hand.
COUNT = re.compile(r"\{(?:n|count|total|days|hours|minutes|months|weeks|seconds)\}")
GETTEXT = {"_", "gettext", "staff_gettext", "N_"}
IN_TEMPLATE = re.compile(r"""\b_\(\s*(["'])((?:(?!\1).)*)\1""")
# Numbers that are not counts: ordinals, a percentage, a unit symbol, a time range.
NOT_COUNTS = (
    "n° {n}",
    "Question {n} sur {total}",
    "{n} %",
    "{n} min",
    "{minutes} min",
    "{hours} h {minutes}",
    "{days} j {hours} h",
    "du {day} {hours}",
)


def _gettext_literals(path: Path) -> list[str]:
    """The first argument of every gettext call (implicit concatenation joined)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        return [match.group(2) for match in IN_TEMPLATE.finditer(text)]
    found = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        first = node.args[0]
        if name in GETTEXT and isinstance(first, ast.Constant) and isinstance(first.value, str):
            found.append(first.value)
    return found


def test_no_count_goes_through_gettext_instead_of_ngettext() -> None:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            if path.suffix not in {".py", ".html"} or "migrations" in path.parts:
                continue
            for literal in _gettext_literals(path):
                if COUNT.search(literal) and not any(ok in literal for ok in NOT_COUNTS):
                    found.append(f"{path.relative_to(ROOT)}: {literal}")
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


def test_the_meetings_tasks_say_one_meeting_and_two_meetings() -> None:
    day = date(2026, 11, 20)
    assert meetings_not_planned_reason(0, day, 2).startswith("0 rencontre physique prévue ce")
    assert meetings_not_planned_reason(1, day, 2) == (
        "1 rencontre physique prévue ce mois-ci au 20/11/2026 : au moins 2 par mois."
    )
    assert meetings_not_planned_reason(3, day, 4).startswith("3 rencontres physiques prévues")
    assert meetings_missed_reason(1, day, 2) == (
        "1 rencontre physique tenue en 2026-11 : au moins 2 par mois."
    )
    assert meetings_missed_reason(2, day, 3).startswith("2 rencontres physiques tenues")


def test_staff_reading_english_get_the_meetings_tasks_in_english() -> None:
    set_staff_locale("en")
    day = date(2026, 11, 20)
    assert meetings_not_planned_reason(1, day, 2) == (
        "1 in-person meeting planned this month as of 20/11/2026: at least 2 a month."
    )
    assert meetings_missed_reason(0, day, 2).startswith("0 in-person meetings held")
    assert meetings_missed_reason(5, day, 2).startswith("5 in-person meetings held")


def test_the_cadence_sentences_count_in_words_in_the_staff_language() -> None:
    day = date(2026, 11, 20)
    assert reasons.checkin_unanswered(day, 1).endswith("du 20/11/2026 (1 jour).")
    assert reasons.checkin_unanswered(day, 7).endswith("du 20/11/2026 (7 jours).")
    assert reasons.caseload_above_limit(31, 30) == (
        "31 participants suivis pour 30 prévus par conseiller."
    )
    set_staff_locale("en")
    assert reasons.checkin_unanswered(day, 1).endswith("of 20/11/2026 (1 day).")
    assert reasons.diagnosis_due(3, day) == "3-month diagnosis update due on 20/11/2026."
    set_staff_locale("ar")
    assert reasons.checkin_unanswered(day, 2).endswith("(يومان).")
    assert reasons.caseload_above_limit(31, 30) == "31 مشاركًا متابَعًا، والحد 30 لكل مستشار."
