"""French phone numbers: what a person or a counsellor types → E.164 (``+33612345678``).

Shared by the booking flow (a number the Espace may call, landline or mobile) and the SMS
adapter and enrolment (mobiles only, :func:`french_mobile`). Refusals say what to fix, in
plain French.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberType

MOBILE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
# Metropolitan France and the overseas departments have their own region codes.
FRENCH_REGIONS = {"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF"}


class InvalidNumber(ValueError):
    """Not a French phone number; the message says what to fix, in plain French, and
    ``reason`` is ``shape``, ``unknown``, ``foreign`` or ``landline``."""

    def __init__(self, message: str, reason: str = "shape") -> None:
        super().__init__(message)
        self.reason = reason


def parse_french(text: str) -> PhoneNumber:
    """``06 12 34 56 78``, ``+33 6…``, ``0033 6…``, ``0690…`` → a valid French number."""
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
        raise InvalidNumber("Ce numéro n'existe pas : vérifiez les chiffres.", "unknown")
    if phonenumbers.region_code_for_number(number) not in FRENCH_REGIONS:
        raise InvalidNumber("Seuls les numéros français sont acceptés.", "foreign")
    return number


def e164(number: PhoneNumber) -> str:
    """``+33612345678``."""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def french_number(text: str) -> str:
    """Any French number (landline or mobile), as E.164."""
    return e164(parse_french(text))


def french_mobile(text: str) -> str:
    """``06 12 34 56 78``, ``+33 6…``, ``0033 6…`` → ``+33612345678`` (SMS need a mobile)."""
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


def readable(e164_number: str) -> str:
    """``+33612345678`` → ``06 12 34 56 78`` (the way people in France read it)."""
    try:
        number = phonenumbers.parse(e164_number, "FR")
    except NumberParseException:
        return e164_number
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def masked(e164_number: str) -> str:
    """For logs and screens that must not show the number: ``+33 6 •• •• •• 78``."""
    if len(e164_number) <= 6:
        return "••"
    return e164_number[:3] + " " + e164_number[3:4] + " •• •• •• " + e164_number[-2:]
