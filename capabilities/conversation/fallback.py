"""When the assistant did not understand: two best guesses, then the menu, then a human."""

from __future__ import annotations

from typing import ClassVar

from capabilities.conversation.keyboards import footer_row, menu_reply, menu_rows
from capabilities.conversation.machine import stateless
from capabilities.conversation.registry import Flow
from capabilities.conversation.turn import Turn
from core.i18n import N_
from core.messages import Button, Reply

# What each intent means, as a button label ("Vous voulez parler de … ?").
INTENT_LABELS: dict[str, str] = {
    "ask_trades": N_("Les métiers qui recrutent"),
    "ask_training": N_("Les formations"),
    "ask_prif": N_("Le PRIF (Proch'Info-Formation)"),
    "ask_prf": N_("Le Programme Régional de Formation"),
    "ask_funding": N_("Financer une formation"),
    "ask_transport": N_("Les transports"),
    "ask_driving_licence": N_("Les aides au permis"),
    "ask_housing": N_("Le logement"),
    "ask_childcare": N_("La garde d'enfants"),
    "ask_espace_info": N_("Les Espaces 20 000 emplois"),
    "book_appointment": N_("Prendre rendez-vous"),
    "cancel_appointment": N_("Annuler un rendez-vous"),
    "reschedule_appointment": N_("Déplacer un rendez-vous"),
    "my_appointments": N_("Mes rendez-vous"),
    "talk_to_human": N_("Parler à un conseiller"),
    "stop_notifications": N_("Ne plus recevoir de messages"),
    "delete_my_data": N_("Effacer mes données"),
    "help": N_("L'aide"),
    "make_plan": N_("Faire le point sur ma situation"),
}
# At this many misses in a row, the conversation is handed to a counsellor (issue 5).
MISSES_BEFORE_HUMAN = 2


def not_understood(turn: Turn) -> list[Reply]:
    """First miss: the two best guesses (or the menu). Second in a row: a counsellor."""
    _ = turn._
    conversation = turn.conversation
    conversation.misunderstood += 1
    turn.emit("not_understood", count=conversation.misunderstood)
    if conversation.misunderstood >= MISSES_BEFORE_HUMAN:
        human = turn.services.registry.by_name("human")
        if human is not None:
            conversation.misunderstood = 0
            return human.on_button(turn, ["ask", "misunderstood"])
    if conversation.misunderstood == 1:
        guesses = [
            item["name"]
            for item in (turn.parse or {}).get("intent_ranking", [])
            if item.get("name") in INTENT_LABELS
        ][:2]
        if guesses:
            rows = tuple((Button(_(INTENT_LABELS[name]), f"guess:{name}"),) for name in guesses)
            return [
                Reply(
                    text=_("Je ne suis pas sûr d'avoir compris. Vous voulez parler de… ?"),
                    buttons=(*rows, footer_row(turn)),
                )
            ]
    return [
        Reply(
            text=_(
                "Désolé, je n'ai pas compris. Choisissez un sujet, écrivez autrement "
                "(par exemple « aide pour le permis »), ou parlez à un conseiller."
            ),
            buttons=menu_rows(turn),
        )
    ]


def small_talk(turn: Turn) -> list[Reply]:
    """An answer-type intent (oui, non) with no question pending."""
    return [menu_reply(turn, turn._("D'accord. Que puis-je faire pour vous ?"))]


class GuessFlow(Flow):
    """A pressed guess button: run the flow of that intent as if it had been understood."""

    name: ClassVar[str] = "guess"
    button_only = True  # the buttons of not_understood
    machine = stateless(
        "guess",
        ["guess:<intent>: the flow of that intent starts", "unknown intent: the menu"],
        ("Guesses after a miss (capabilities/conversation/fallback.py). Payload prefix: guess:",),
    )

    def start(self, turn: Turn) -> list[Reply]:
        """Not entered by intent."""
        return [menu_reply(turn)]

    def on_button(self, turn: Turn, args: list[str]) -> list[Reply]:
        """``guess:<intent>``."""
        intent = args[0] if args else ""
        flow = turn.services.registry.for_intent(intent)
        if flow is None or intent not in INTENT_LABELS:
            return [menu_reply(turn)]
        turn.parse = {"intent": {"name": intent, "confidence": 1.0}, "entities": []}
        turn.conversation.misunderstood = 0
        return flow.start(turn)
