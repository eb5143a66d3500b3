"""Every interface string is extracted, and English is complete for the interface."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from core.i18n import OFFERED, format_when, resolve_locale, translations

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["core", "app", "capabilities", "bot", "scheduler", "store", "console", "nlu", "webchat"]


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


def test_every_offered_language_translates_every_interface_string(tmp_path: Path) -> None:
    ids = extracted_ids(tmp_path)
    assert len(ids) > 50
    for locale in OFFERED:
        if locale == "fr":
            continue
        with (ROOT / "locale" / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        translated = {str(m.id) for m in catalog if m.id and m.string}
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
