"""The composition root of the flows: every flow registered here, explicitly, in order."""

from __future__ import annotations

from capabilities.appointments.flow import BookingFlow
from capabilities.conversation.basics import HelpFlow, SmallTalkFlow
from capabilities.conversation.confirm import ConfirmFlow
from capabilities.conversation.fallback import GuessFlow
from capabilities.conversation.preferences import LanguageFlow, PreferencesFlow
from capabilities.conversation.registry import Registry
from capabilities.handoff.flow import HumanFlow
from capabilities.handoff.needs import NeedsFlow
from capabilities.information.info import InfoFlow
from capabilities.plan.flow import PlanFlow
from capabilities.privacy.privacy import PrivacyFlow
from capabilities.programme.checkin import CheckinFlow


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
        NeedsFlow(),
        ConfirmFlow(),
        GuessFlow(),
        InfoFlow(),
        BookingFlow(),
        CheckinFlow(),
        PlanFlow(),
    ):
        registry.add(flow)
    return registry
