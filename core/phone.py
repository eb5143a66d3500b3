"""French mobile numbers: what a counsellor types → E.164 (``+33612345678``), or a refusal.

In the kernel because enrolment (the console, ``python -m scheduler enrol``) and the SMS
channel both need it. The messages are plain French for the counsellor.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

MOBILE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
# Metropolitan France and the overseas departments have their own region codes.
FRENCH_REGIONS = {"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF"}


class InvalidNumber(ValueError):
    """Not a French mobile number; the message says what to fix, in plain French."""


def french_mobile(text: str) -> str:
    """``06 12 34 56 78``, ``+33 6…``, ``0033 6…`` → ``+33612345678``."""
    cleaned = (text or "").strip()
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    try:
        number = phonenumbers.parse(cleaned, "FR")
    except NumberParseException as exc:
        raise InvalidNumber("Ce n'est pas un numéro de téléphone.") from exc
    if not phonenumbers.is_valid_number(number) and not cleaned.startswith("+"):
        # "0690 …" written the national way in Guadeloupe, La Réunion…
        for region in ("GP", "MQ", "GF", "RE", "YT"):
            overseas = phonenumbers.parse(cleaned, region)
            if phonenumbers.is_valid_number(overseas):
                number = overseas
                break
    if not phonenumbers.is_valid_number(number):
        raise InvalidNumber("Ce numéro n'existe pas : vérifiez les chiffres.")
    if phonenumbers.region_code_for_number(number) not in FRENCH_REGIONS:
        raise InvalidNumber("Seuls les numéros français sont acceptés pour les SMS.")
    if phonenumbers.number_type(number) not in MOBILE:
        raise InvalidNumber("C'est un numéro fixe : il faut un portable (06 ou 07) pour les SMS.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def masked(e164: str) -> str:
    """For logs and screens that must not show the number: ``+33 6 •• •• •• 78``."""
    return e164[:3] + " " + e164[3:4] + " •• •• •• " + e164[-2:] if len(e164) > 6 else "••"
