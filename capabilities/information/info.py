"""Answers about trades, trainings, transport, housing, childcare and the Espaces.

Cards come from the sourced content files (:mod:`.catalog`); every answer has
"en savoir plus", "retour au menu" and "parler à un conseiller" buttons.
"""

from __future__ import annotations

from typing import ClassVar

from capabilities.conversation.keyboards import footer_row, menu_reply
from capabilities.conversation.machine import stateless
from capabilities.conversation.registry import Flow
from capabilities.conversation.turn import Turn
from capabilities.information.catalog import INTENT_CARDS
from capabilities.information.other_trades import other_trade_card
from capabilities.information.places import espace_details
from core.messages import Button, Reply

PLACES_CARD = "espaces.places"  # its practical details come from the agenda's Espaces


class InfoFlow(Flow):
    """Navigate the content cards by buttons (``card:<id>``) or reach them by free text."""

    name: ClassVar[str] = "card"
    intents: ClassVar[tuple[str, ...]] = tuple(INTENT_CARDS)
    machine = stateless(
        "card",
        [
            "ask_* intents: the card of the intent (or of the trade named)",
            "card:<id>: that card; an unknown id gets the menu",
        ],
        ("Information cards (capabilities/information/info.py). Payload prefix: card:",),
    )

    def start(self, turn: Turn) -> list[Reply]:
        """A question in words: the card of its intent, or of the trade it names."""
        card_id = INTENT_CARDS.get(turn.intent or "", "trades")
        trade = turn.entity("trade")
        if trade and turn.intent in ("ask_trades", "ask_training", None):
            card_id = (
                turn.services.catalog.trade_of((turn.parse or {}).get("entities", [])) or card_id
            )
        elif turn.intent in ("ask_trades", "ask_training"):  # a trade without a detail card
            card_id = other_trade_card(turn.text) or card_id
        return [self.card(turn, card_id)]

    def on_button(self, turn: Turn, args: list[str]) -> list[Reply]:
        """``card:<id>``; an unknown id (old keyboard, forged data) gets the menu."""
        card_id = args[0] if args else ""
        if card_id not in turn.services.catalog:
            return [
                menu_reply(
                    turn, turn._("Cette page n'existe plus. Voici le menu, choisissez un sujet :")
                )
            ]
        return [self.card(turn, card_id)]

    def card(self, turn: Turn, card_id: str) -> Reply:
        """Render one card with its navigation buttons."""
        _ = turn._
        details = espace_details(turn.session, _) if card_id == PLACES_CARD else None
        rendered = turn.services.catalog.render(card_id, turn.locale, details)
        text = rendered.text
        if rendered.fallback:
            text += "\n\n" + _("(Cette information n'existe qu'en français pour l'instant.)")
        rows: list[tuple[Button, ...]] = []
        children = [Button(title, f"card:{child}") for child, title in rendered.children]
        rows.extend(tuple(children[i : i + 2]) for i in range(0, len(children), 2))
        more: list[Button] = []
        if rendered.more:
            more.append(Button(_("En savoir plus"), f"card:{rendered.more}"))
        if rendered.official:
            label, url = rendered.official
            more.append(Button(label, url=url))
        if more:
            rows.append(tuple(more))
        if card_id.split(".")[0] == "espaces":
            rows.append((Button(_("Prendre rendez-vous"), "appt:new"),))
        for extra in turn.services.card_extras:
            row = extra(turn)
            if row:
                rows.append(row)
        rows.append(footer_row(turn))
        return Reply(text=text, buttons=tuple(rows))
