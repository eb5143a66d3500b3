"""French mobile numbers: what a counsellor types → E.164 (``+33612345678``), or a refusal.

The parsing is :mod:`core.phone`'s (shared with the booking flow); SMS need a mobile.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberType

from core.phone import FRENCH_REGIONS, InvalidNumber, e164, masked, parse_french

__all__ = ["FRENCH_REGIONS", "MOBILE", "InvalidNumber", "french_mobile", "masked"]

MOBILE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


def french_mobile(text: str) -> str:
    """``06 12 34 56 78``, ``+33 6…``, ``0033 6…`` → ``+33612345678``."""
    try:
        number = parse_french(text)
    except InvalidNumber as refused:
        if refused.reason == "foreign":
            message = "Seuls les numéros français sont acceptés pour les SMS."
            raise InvalidNumber(message, "foreign") from None
        raise
    if phonenumbers.number_type(number) not in MOBILE:
        message = "C'est un numéro fixe : il faut un portable (06 ou 07) pour les SMS."
        raise InvalidNumber(message, "landline")
    return e164(number)
