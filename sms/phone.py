"""French mobile numbers (the rules live in :mod:`core.phone`, which enrolment uses too)."""

from core.phone import InvalidNumber, french_mobile, masked

__all__ = ["InvalidNumber", "french_mobile", "masked"]
