"""Every interface string is extracted, and English is complete for the interface."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from core.i18n import OFFERED, format_when, resolve_locale, translations

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [
    "core",
    "app",
    "capabilities",
    "bot",
    "scheduler",
    "store",
    "console",
    "nlu",
    "webchat",
    "sms",
]


def extracted_ids(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "locale" / "babel.cfg"),
            "-k",
            "N_",
            "-k",
            "N_plural:1,2",
            "-k",
            "staff_gettext",
            "-k",
            "staff_ngettext:1,2",
            "-o",
            str(pot),
            "--no-location",
            "--ignore-dirs=.venv .cache var tests bench",
            *[str(ROOT / p) for p in PACKAGES if (ROOT / p).exists()],
        ],
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as fh:
        return {str(m.id) for m in read_po(fh) if m.id}


def catalog_of(locale: str) -> list[Message]:
    with (ROOT / "locale" / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return [m for m in read_po(fh, locale=locale) if m.id]


def _complete(message: Message, plurals: int) -> bool:
    """Translated, not fuzzy, and (for a plural) every form of the language filled in."""
    if message.fuzzy:
        return False
    if isinstance(message.id, tuple):
        forms = message.string if isinstance(message.string, tuple) else ()
        return len(forms) == plurals and all(forms)
    return bool(message.string)


def test_every_offered_language_translates_every_interface_string(tmp_path: Path) -> None:
    ids = extracted_ids(tmp_path)
    assert len(ids) > 50
    for locale in OFFERED:
        if locale == "fr":
            continue
        with (ROOT / "locale" / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        translated = {str(m.id) for m in catalog if m.id and _complete(m, catalog.num_plurals)}
        missing = sorted(ids - translated)
        assert not missing, (
            f"{locale}: {len(missing)} untranslated (make i18n-update): {missing[:5]}"
        )


def test_locale_resolution_prefers_the_choice_then_the_client() -> None:
    assert resolve_locale("en", "fr-FR") == "en"
    assert resolve_locale(None, "en-GB") == "en"
    assert resolve_locale(None, "de") == "fr"
    assert resolve_locale(None, None) == "fr"


def test_english_catalog_is_compiled_and_used() -> None:
    assert translations("en").gettext("Retour au menu") == "Back to the menu"


def test_dates_in_plain_french_in_paris_time() -> None:
    from datetime import UTC, datetime

    assert (
        format_when(datetime(2026, 11, 24, 13, 0, tzinfo=UTC), "fr")
        == "mardi 24 novembre à 14 h 00"
    )
    summer = datetime(2027, 6, 1, 12, 30, tzinfo=UTC)
    assert format_when(summer, "fr") == "mardi 1er juin à 14 h 30"


def test_arabic_is_offered_and_dutch_is_not_until_complete() -> None:
    assert "ar" in OFFERED
    assert "nl" not in OFFERED  # partial: never offered, never guessed from the client
    assert resolve_locale(None, "ar-MA") == "ar"
    assert resolve_locale(None, "nl-BE") == "fr"
    dutch = catalog_of("nl")
    assert not all(_complete(m, 2) for m in dutch)  # if Dutch is complete, offer it


def test_arabic_plural_forms_follow_the_six_categories() -> None:
    ar = translations("ar")
    singular, plural = (
        "• {count} photo, gardée pour les conseillers",
        "• {count} photos, gardées pour les conseillers",
    )
    forms = {n: ar.ngettext(singular, plural, n).format(count=n) for n in (0, 1, 2, 3, 11, 100)}
    assert forms[0] == "• لا توجد صور"
    assert forms[1] == "• صورة واحدة، محفوظة للمستشارين"
    assert forms[2] == "• صورتان، محفوظتان للمستشارين"
    assert forms[3] == "• 3 صور، محفوظة للمستشارين"
    assert forms[11] == "• 11 صورة، محفوظة للمستشارين"
    assert forms[100] == "• 100 صورة، محفوظة للمستشارين"


def test_arabic_keeps_every_placeholder_of_the_french() -> None:
    import re

    names = re.compile(r"\{[a-z_]+\}|%\([a-z_]+\)s")
    for message in catalog_of("ar"):
        if isinstance(message.id, tuple):
            wanted = set(names.findall(message.id[1]))
            for number, form in enumerate(message.string):
                assert set(names.findall(form)) <= wanted, (message.id, number)
        else:
            assert set(names.findall(message.string)) == set(names.findall(message.id)), message.id


def test_french_plural_forms_treat_zero_and_one_as_singular() -> None:
    from core.i18n import ngettext_for

    ngettext = ngettext_for("fr")
    assert ngettext("{n} message", "{n} messages", 0).format(n=0) == "0 message"
    assert ngettext("{n} message", "{n} messages", 1).format(n=1) == "1 message"
    assert ngettext("{n} message", "{n} messages", 2).format(n=2) == "2 messages"
    english = ngettext_for("en")
    assert english("• nos échanges : {count} message", "• nos échanges : {count} messages", 1) == (
        "• our conversation: {count} message"
    )


def test_arabic_commands_read_left_to_right_inside_arabic_sentences() -> None:
    # Without a left-to-right mark, bidi shows "/supprimer" as "supprimer/" in Arabic text.
    ar = translations("ar")
    assert ar.gettext("Pour tout effacer : /supprimer") == "لحذف كل شيء: \u200e/supprimer"
    for message in catalog_of("ar"):
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        for form in forms:
            for start in (i for i, c in enumerate(form) if c == "/"):
                if (
                    start + 1 < len(form)
                    and form[start + 1].isascii()
                    and form[start + 1].isalpha()
                ):
                    before = form[start - 1] if start else ""
                    assert before == "\u200e" or before.isalnum(), (message.id, form)
