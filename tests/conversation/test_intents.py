"""Every NLU intent has a flow, and every flow an intent (or it is explicitly button-only)."""

from __future__ import annotations

import nlu
from app.registry import build_registry
from capabilities.assistant import router
from capabilities.conversation.commands import COMMANDS
from capabilities.conversation.fallback import INTENT_LABELS

# Intents no flow answers, because the router itself acts on them.
ROUTED_BY_ROUTER = {
    "out_of_scope": "router.understand sends it to the fallback (guesses, the menu, a human)",
}


def test_every_nlu_intent_is_answered_by_a_flow_or_the_router() -> None:
    registry = build_registry()
    unanswered = {
        intent
        for intent in nlu.INTENTS
        if registry.for_intent(intent) is None and intent not in ROUTED_BY_ROUTER
    }
    assert not unanswered, f"intents nobody answers: {sorted(unanswered)}"
    assert not set(ROUTED_BY_ROUTER) & registry.intents(), "routed by the router and a flow"


def test_every_flow_intent_is_one_the_nlu_can_produce() -> None:
    assert build_registry().intents() <= set(nlu.INTENTS)


def test_every_flow_declares_an_intent_or_is_button_only() -> None:
    registry = build_registry()
    for name in sorted(registry.names()):
        flow = registry.by_name(name)
        assert flow is not None
        if flow.button_only:
            assert not flow.intents, f"{name} is button-only but declares {flow.intents}"
        else:
            assert flow.intents, f"{name}: declare its intents, or button_only = True"


def test_the_router_and_the_fallback_name_real_intents_and_flows() -> None:
    registry = build_registry()
    known = set(nlu.INTENTS)
    assert known >= router.GLOBAL_INTENTS and known >= router.ANSWER_INTENTS
    assert set(INTENT_LABELS) <= registry.intents()
    assert {flow for flow, _args in COMMANDS.values()} <= registry.names()
