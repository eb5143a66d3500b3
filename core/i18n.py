"""Translations with Babel gettext catalogs; French is the source language.

Interface strings are written in French in the code (``_("Bonjour")``); ``locale/<lang>``
holds the catalogs. A missing translation falls back to the French text.

Two audiences: a person reads the language of their conversation (``gettext_for``); staff
read ``STAFF_LANGUAGE`` (``staff_gettext``/``staff_ngettext``: the staff group's cards and
notices, the counsellors' tasks, the console), never the person's.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date, format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from core.clock import PARIS

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DEFAULT_LOCALE = "fr"
# Languages offered by /langue: only those whose interface catalog is complete.
OFFERED = ("fr", "en", "ar")
KNOWN = ("fr", "en", "nl", "ar")
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "nl": "Nederlands", "ar": "العربية"}


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a pair of forms for extraction (``ngettext`` chooses one later, by count)."""
    return singular, plural


@lru_cache(maxsize=8)
def translations(locale: str) -> NullTranslations:
    """The catalog for ``locale``, or an identity catalog for French.

    The compiled .mo is used when it is up to date; otherwise the .po is compiled in memory,
    so a fresh checkout works without a build step and never shows a stale translation.
    """
    if locale == DEFAULT_LOCALE:
        return NullTranslations()
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    po, mo = folder / "messages.po", folder / "messages.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        return Translations.load(str(LOCALE_DIR), [locale], domain="messages")
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain="messages")


def resolve_locale(chosen: str | None, language_code: str | None) -> str:
    """The person's choice first, then the client's language if we know it, else French."""
    if chosen in KNOWN:
        return chosen
    if language_code:
        short = language_code.split("-")[0].lower()
        if short in OFFERED:
            return short
    return DEFAULT_LOCALE


def gettext_for(locale: str) -> Translations | NullTranslations:
    """A translations object whose ``gettext`` is the ``_`` of a conversation turn."""
    return translations(locale)


def _french_ngettext(singular: str, plural: str, n: int) -> str:
    return singular if abs(n) <= 1 else plural  # French: 0 and 1 take the singular


def ngettext_for(locale: str) -> Callable[[str, str, int], str]:
    """``ngettext(singular, plural, n)`` for ``locale``: the catalog's plural forms.

    Bind it to a local named ``ngettext`` so that ``make i18n-update`` extracts the calls.
    """
    if locale == DEFAULT_LOCALE or locale not in KNOWN:
        return _french_ngettext
    return translations(locale).ngettext


_STAFF: dict[str, str] = {}


def set_staff_locale(locale: str | None) -> None:
    """The staff's language, from ``STAFF_LANGUAGE`` (set by the composition root);
    ``None`` forgets it (read again from the settings on next use)."""
    if locale is None:
        _STAFF.clear()
    elif locale in OFFERED:
        _STAFF["locale"] = locale
    else:
        raise ValueError(f"STAFF_LANGUAGE must be one of {', '.join(OFFERED)}")


def staff_locale() -> str:
    """The language staff read (``STAFF_LANGUAGE``, French by default)."""
    if "locale" not in _STAFF:
        from core.settings import get_settings  # settings are validated at start-up

        _STAFF["locale"] = get_settings().staff_language
    return _STAFF["locale"]


def staff_gettext(message: str) -> str:
    """A staff-facing string in ``STAFF_LANGUAGE``."""
    return translations(staff_locale()).gettext(message)


def staff_ngettext(singular: str, plural: str, n: int) -> str:
    """A staff-facing string with a number, in ``STAFF_LANGUAGE`` and its plural forms."""
    return ngettext_for(staff_locale())(singular, plural, n)


def text_direction(locale: str) -> str:
    """``rtl`` for Arabic, else ``ltr`` (the ``dir`` of a page)."""
    return "rtl" if locale == "ar" else "ltr"


def _french_day(local: datetime) -> str:
    """ "mardi 24 novembre", with the French ordinal "1er" on the first of the month."""
    weekday = format_date(local, "EEEE", locale="fr_FR")
    month = format_date(local, "MMMM", locale="fr_FR")
    day = "1er" if local.day == 1 else str(local.day)
    return f"{weekday} {day} {month}"


def format_when(moment: datetime, locale: str) -> str:
    """A date and time in plain words, Paris time: "mardi 24 novembre à 14 h 00"."""
    local = moment.astimezone(PARIS)
    if locale == "fr":
        return f"{_french_day(local)} à {local.hour} h {local.minute:02d}"
    return format_datetime(local, "EEEE d MMMM, HH:mm", tzinfo=PARIS, locale=locale)


def format_day(moment: datetime, locale: str) -> str:
    """A day in plain words, Paris time: "mardi 24 novembre"."""
    local = moment.astimezone(PARIS)
    if locale == "fr":
        return _french_day(local)
    return format_date(local, "EEEE d MMMM", locale=locale)


def format_clock(moment: datetime, locale: str) -> str:
    """A time of day, Paris time: "14 h 00" in French."""
    local = moment.astimezone(PARIS)
    if locale == "fr":
        return f"{local.hour} h {local.minute:02d}"
    return format_time(local, "HH:mm", tzinfo=PARIS, locale=locale)
