"""SMS segments: GSM-7 (160 characters, 153 per part) or UCS-2 (70, 67 per part).

A message is billed per segment; the assistant keeps each SMS within two. Characters of the
GSM 03.38 extension table (``€ [ ] { } ~ ^ \\ |``) count twice. Anything outside GSM-7 — an
emoji, a curly apostrophe, « » — switches the whole message to UCS-2, so :func:`gsm_friendly`
first replaces the usual typographic characters by their GSM-7 equivalents.
"""

from __future__ import annotations

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€\f")
REPLACEMENTS = {
    "’": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"', "\u00a0": " ", "\u202f": " ",
    "–": "-", "—": "-", "…": "...", "•": "-", "·": "-", "œ": "oe", "Œ": "OE",
    "ê": "e", "ë": "e", "è": "è", "â": "a", "î": "i", "ï": "i", "ô": "o", "û": "u", "ç": "c",
    "À": "A", "Â": "A", "È": "E", "Ê": "E", "Î": "I", "Ô": "O", "Û": "U", "ÿ": "y",
}  # fmt: skip


def gsm_friendly(text: str) -> str:
    """Typographic characters → GSM-7 ones (accents kept where GSM-7 has them)."""
    return "".join(REPLACEMENTS.get(ch, ch) for ch in text)


def is_gsm(text: str) -> bool:
    """Can the whole text go in GSM-7?"""
    return all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text)


def units(text: str) -> int:
    """Length in the encoding's units (septets for GSM-7, UTF-16 code units for UCS-2)."""
    if is_gsm(text):
        return sum(2 if ch in GSM_EXTENSION else 1 for ch in text)
    return len(text.encode("utf-16-le")) // 2


def segments(text: str) -> int:
    """How many SMS the text is billed as."""
    gsm = is_gsm(text)
    single, part = (160, 153) if gsm else (70, 67)
    length = units(text)
    if length <= single:
        return 1
    return -(-length // part)


def fit(text: str, max_segments: int = 2, ellipsis: str = "...") -> str:
    """The text, cut at a word with ``ellipsis`` if it would take more than ``max_segments``."""
    if segments(text) <= max_segments:
        return text
    words = text.split(" ")
    while words and segments(" ".join(words) + ellipsis) > max_segments:
        words.pop()
    cut = " ".join(words).rstrip() + ellipsis
    while segments(cut) > max_segments:  # one very long word
        cut = cut[: -len(ellipsis) - 1] + ellipsis
    return cut
