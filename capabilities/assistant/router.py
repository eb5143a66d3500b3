"""Routing of one turn, guards first. Each guard either answers or passes the turn on.

0. distress words: the emergency numbers at once, then a counsellor (even before consent)
1. consent (nothing is kept before it, a refusal is respected)
2. edited messages, voice notes and photos (passed to a counsellor), media we cannot read
3. commands (/menu, /aide, /langue, /stop, /mesdonnees, /supprimer, /start)
4. hand-off: while a counsellor holds the conversation, the bot stays silent (a resolved
   hand-off goes back to the bot at the person's next message)
5. buttons (stale or forged ones get a kind answer)
6. the active flow's free-text step
7. the NLU intent (below the threshold: the fallback flow)
"""

from __future__ import annotations

from capabilities.conversation import commands, fallback
from capabilities.conversation.keyboards import menu_reply
from capabilities.conversation.registry import Payload
from capabilities.conversation.turn import Turn
from capabilities.handoff import flow as handoff
from capabilities.handoff import media
from capabilities.handoff.distress import emergency_reply, is_distress
from capabilities.handoff.state import HELD, transition
from capabilities.privacy import consent
from core.messages import Kind, Reply

# Intents that work from anywhere, even in the middle of another flow.
GLOBAL_INTENTS = {"stop_notifications", "delete_my_data", "talk_to_human", "help"}
# Intents that only make sense as an answer: outside a flow, they get a small-talk answer.
ANSWER_INTENTS = {"affirm", "deny"}


def route(turn: Turn) -> list[Reply]:
    """Run one turn through the guards and return the replies."""
    incoming = turn.incoming
    if incoming.kind is Kind.TEXT and is_distress(incoming.text):
        if turn.person.consent != "given":
            return [emergency_reply(turn), *before_consent(turn)]
        return handoff.distress(turn)
    if turn.person.consent != "given":
        return before_consent(turn)
    if incoming.kind is Kind.EDITED:
        return [commands.edited(turn)]
    if incoming.kind is Kind.MEDIA:
        return media.receive(turn) or [commands.unsupported(turn)]
    if incoming.kind is Kind.UNSUPPORTED:
        return [commands.unsupported(turn)]
    if incoming.kind is Kind.COMMAND:
        return commands.run(turn)
    if turn.conversation.handoff == "resolved":
        transition(turn.session, turn.conversation, "bot", at=turn.now, by="person")
    if turn.conversation.handoff in HELD:
        return handoff_hold(turn)
    if incoming.kind is Kind.BUTTON:
        return press(turn, incoming.payload)
    return understand(turn)


def before_consent(turn: Turn) -> list[Reply]:
    """The consent step; once given, a question asked before is routed again by intent."""
    outcome = consent.handle(turn)
    if isinstance(outcome, consent.RouteAgain):
        return [*outcome.replies, *understand(turn)]
    return outcome


def handoff_hold(turn: Turn) -> list[Reply]:
    """While a person waits for or talks with a counsellor: relay, and stay silent."""
    if turn.incoming.kind is Kind.BUTTON and turn.incoming.payload.startswith("human:"):
        return press(turn, turn.incoming.payload)
    turn.emit("relay", text=turn.incoming.text, payload=turn.incoming.payload)
    if turn.conversation.handoff == "waiting" and not turn.data.get("relay_acknowledged"):
        turn.update(relay_acknowledged=True)
        return [Reply(text=turn._("C'est transmis. Un conseiller vous répondra ici."))]
    return []


def press(turn: Turn, raw: str) -> list[Reply]:
    """A button: find its flow, refuse it kindly if it is stale or not one of ours."""
    if raw == "menu":
        turn.finish()
        return [menu_reply(turn)]
    payload = Payload.parse(raw)
    flow = turn.services.registry.by_name(payload.flow) if payload else None
    if payload is None or flow is None:
        return [commands.stale_button(turn)]
    if payload.nonce is not None and payload.nonce != turn.conversation.nonce:
        return [commands.stale_button(turn)]
    turn.stamped = payload.nonce is not None
    turn.conversation.misunderstood = 0
    return flow.on_button(turn, payload.args)


def understand(turn: Turn) -> list[Reply]:
    """Free text: the active flow first, then the intent."""
    if not turn.text and not turn.parse:
        return [menu_reply(turn)]
    intent = turn.intent
    confident = turn.confidence >= turn.settings.nlu_threshold
    active = turn.services.registry.by_name(turn.flow) if turn.flow else None
    if active is not None and not (confident and intent in GLOBAL_INTENTS):
        replies = active.on_text(turn)
        if replies is not None:
            turn.conversation.misunderstood = 0
            return replies
    if not confident or intent is None or intent == "out_of_scope":
        return fallback.not_understood(turn)
    flow = turn.services.registry.for_intent(intent)
    if flow is None or (intent in ANSWER_INTENTS and active is None):
        return fallback.small_talk(turn)
    turn.conversation.misunderstood = 0
    if active is not None and active is not flow:
        turn.finish()
    return flow.start(turn)


def throttle(turn: Turn, *, first: bool) -> list[Reply]:
    """A flood from one person: one polite notice, then quiet; every message is still logged."""
    if not first:
        return []
    return [
        Reply(
            text=turn._(
                "Vous m'écrivez très vite ! Je lis tout, mais je réponds moins vite. "
                "Attendez quelques secondes avant d'envoyer la suite."
            )
        )
    ]
