"""Everyday needs said in words: a bed tonight, food, violence, health, money.

The answer is the card of that need (the numbers to call first), never an unrelated action.
For a bed, food or violence a counsellor is also asked to step in, as for distress words;
for health and money the person gets the card and the way to a counsellor, one tap away.
The cards live in ``capabilities/information/content/needs.yaml`` (sourced, like every card).
"""

from __future__ import annotations

from typing import ClassVar

from capabilities.conversation.keyboards import footer_row
from capabilities.conversation.machine import stateless
from capabilities.conversation.registry import Flow
from capabilities.conversation.turn import Turn
from capabilities.handoff.flow import open_request, when_answered
from core.messages import Button, Reply

NEED_CARDS: dict[str, str] = {
    "need_shelter": "needs.shelter",
    "need_food": "needs.food",
    "need_violence": "needs.violence",
    "need_health": "needs.health",
    "need_money": "needs.money",
}
URGENT = {"need_shelter", "need_food", "need_violence"}  # a counsellor is alerted at once


class NeedsFlow(Flow):
    """The card matched to the need; a counsellor alerted when it is urgent."""

    name: ClassVar[str] = "needs"
    intents: ClassVar[tuple[str, ...]] = tuple(NEED_CARDS)
    machine = stateless(
        "needs",
        [
            "need_shelter, need_food, need_violence: the card, and a counsellor is alerted",
            "need_health, need_money: the card, a counsellor one tap away",
        ],
        ("Everyday needs (capabilities/handoff/needs.py). Payload prefix: needs:",),
    )

    def start(self, turn: Turn) -> list[Reply]:
        """The card of the need, then the counsellor."""
        intent = turn.intent or ""
        rendered = turn.services.catalog.render(NEED_CARDS[intent], turn.locale)
        links: list[tuple[Button, ...]] = []
        if rendered.official:
            label, url = rendered.official
            links.append((Button(label, url=url),))
        if intent == "need_health":
            links.append((Button(turn._("Mes rendez-vous"), "appt:menu"),))
        if intent not in URGENT:
            return [Reply(text=rendered.text, buttons=(*links, footer_row(turn)))]
        turn.finish()
        open_request(turn, intent)
        return [
            Reply(text=rendered.text, buttons=tuple(links)),
            Reply(
                text=turn._("J'ai prévenu un conseiller. ") + when_answered(turn),
                buttons=((Button(turn._("Revenir à l'assistant"), "human:back"),),),
            ),
        ]
