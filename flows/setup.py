"""The composition root of the flows: every flow registered here, explicitly, in order."""

from __future__ import annotations

from flows.basics import HelpFlow, SmallTalkFlow
from flows.booking.flow import BookingFlow
from flows.fallback import GuessFlow
from flows.handoff import HumanFlow
from flows.info import InfoFlow
from flows.preferences import LanguageFlow, PreferencesFlow
from flows.privacy import PrivacyFlow
from flows.programme.checkin import CheckinFlow
from flows.registry import Registry


def build_registry() -> Registry:
    """All flows of the assistant. Later capabilities replace the interim ones here."""
    registry = Registry()
    for flow in (
        HelpFlow(),
        SmallTalkFlow(),
        LanguageFlow(),
        PreferencesFlow(),
        PrivacyFlow(),
        HumanFlow(),
        GuessFlow(),
        InfoFlow(),
        BookingFlow(),
        CheckinFlow(),
    ):
        registry.add(flow)
    return registry
