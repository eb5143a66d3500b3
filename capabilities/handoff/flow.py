"""Asking for a human: the request is recorded and the person told what happens next.

States of a conversation: ``bot`` → ``waiting`` → ``human`` → ``resolved`` → ``bot``
(see :mod:`capabilities.handoff.state`). A person enters ``waiting`` when they ask
(``talk_to_human``), when a check-in answer says they need help (``checkin``), when the
bot failed to understand twice in a row (``misunderstood``) or on distress words
(``distress``). While ``waiting`` or ``human`` the router keeps the bot silent and relays
messages (the ``relay`` event); the staff group and the console listen to the events.
"""

from __future__ import annotations

from typing import ClassVar

from capabilities.conversation.keyboards import footer_row, menu_reply
from capabilities.conversation.machine import stateless
from capabilities.conversation.registry import Flow
from capabilities.conversation.turn import Turn
from capabilities.handoff.distress import emergency_reply
from capabilities.handoff.hours import load_hours
from capabilities.handoff.state import HELD, close_requests, open_requests, transition
from core.i18n import format_when
from core.messages import Button, Reply
from store.models import HandoffRequest

REASONS = ("asked", "misunderstood", "distress", "checkin")


def open_request(turn: Turn, reason: str) -> tuple[HandoffRequest, bool]:
    """The person's open request, or a new one; True when it was just created."""
    existing = open_requests(turn.session, turn.person.id)
    if existing:
        return existing[0], False
    request = HandoffRequest(person_id=turn.person.id, reason=reason, created_at=turn.now)
    turn.session.add(request)
    turn.session.flush()
    conversation = turn.conversation
    turn.finish()
    transition(turn.session, conversation, "waiting", at=turn.now, by="person", reason=reason)
    conversation.handoff_by = None
    turn.emit("handoff", request_id=request.id, reason=reason)
    return request, True


def when_answered(turn: Turn) -> str:
    """Tell the person when a counsellor will read them (now, or at the next opening).

    Placeholder hours are never stated: only "as soon as possible".
    """
    _ = turn._
    hours = load_hours()
    if hours.placeholder or hours.is_open(turn.now):
        return _("Un conseiller vous répondra ici, dans cette conversation, dès que possible.")
    opening = hours.next_opening(turn.now)
    if opening is None:
        return _(
            "Les conseillers sont absents en ce moment. Ils vous répondront ici à leur retour."
        )
    return _(
        "Les conseillers sont absents en ce moment. Ils liront votre message à partir du "
        "{when}, et vous répondront ici."
    ).format(when=format_when(opening, turn.locale))


def distress(turn: Turn) -> list[Reply]:
    """Distress words: the emergency numbers first, then a counsellor is asked to step in."""
    replies = [emergency_reply(turn)]
    if turn.conversation.handoff not in HELD:
        open_request(turn, "distress")
        replies.append(
            Reply(
                text=turn._("J'ai aussi prévenu un conseiller. ") + when_answered(turn),
                buttons=((Button(turn._("Revenir à l'assistant"), "human:back"),),),
            )
        )
    else:
        turn.emit("relay", text=turn.incoming.text, payload="", distress=True)
    return replies


class HumanFlow(Flow):
    """``talk_to_human``: hand the conversation to a counsellor."""

    name: ClassVar[str] = "human"
    intents: ClassVar[tuple[str, ...]] = ("talk_to_human",)
    machine = stateless(
        "human",
        [
            "talk_to_human, human:ask[:reason]: a request, the person waits (any flow is left)",
            "human:back: back to the assistant, the request closed",
        ],
        (
            "Asking for a human (capabilities/handoff/flow.py). Payload prefix: human:",
            "The hand-off itself is conversations.handoff: bot → waiting → human → resolved → bot",
            "(capabilities/handoff/state.py); while held, the router relays and the bot is silent.",
        ),
    )

    def start(self, turn: Turn) -> list[Reply]:
        """The person asked in words."""
        return self.on_button(turn, ["ask"])

    def on_button(self, turn: Turn, args: list[str]) -> list[Reply]:
        """``human:ask[:reason]`` asks; ``human:back`` returns to the assistant."""
        _ = turn._
        action = args[0] if args else "ask"
        if action == "back":
            return self._back(turn)
        reason = args[1] if len(args) > 1 and args[1] in REASONS else "asked"
        _request, created = open_request(turn, reason)
        intro = (
            _("Je n'arrive pas à vous comprendre, je préfère passer la main. ")
            if reason == "misunderstood"
            else ""
        )
        if not created:
            text = _(
                "Votre demande est déjà transmise aux conseillers. Un conseiller vous répondra "
                "ici, dans cette conversation."
            )
        else:
            text = (
                intro
                + _("J'ai transmis votre demande aux conseillers des Espaces 20 000 emplois.")
                + " "
                + when_answered(turn)
                + " "
                + _("Écrivez-lui directement votre question : il la lira.")
            )
        return [
            Reply(
                text=text,
                buttons=((Button(_("Revenir à l'assistant"), "human:back"),),),
            )
        ]

    def _back(self, turn: Turn) -> list[Reply]:
        conversation = turn.conversation
        if conversation.handoff in HELD:
            close_requests(turn.session, turn.person.id, turn.now)
            transition(turn.session, conversation, "bot", at=turn.now, by="person", reason="back")
            turn.emit("handoff_back")
        return [menu_reply(turn, turn._("D'accord, c'est de nouveau moi, l'assistant."))]


def interim_rows(turn: Turn) -> tuple[tuple[Button, ...], ...]:
    """Buttons under an interim answer: a human and the menu."""
    return (footer_row(turn),)
