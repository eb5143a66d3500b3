"""Help and small talk: greetings, thanks, goodbyes, yes/no outside a question."""

from __future__ import annotations

from typing import ClassVar

from capabilities.conversation.keyboards import menu_reply, menu_rows
from capabilities.conversation.machine import stateless
from capabilities.conversation.registry import Flow
from capabilities.conversation.turn import Turn
from core.messages import Reply


class HelpFlow(Flow):
    """What the assistant can do and the commands that work from anywhere."""

    name: ClassVar[str] = "help"
    intents: ClassVar[tuple[str, ...]] = ("help",)
    machine = stateless(
        "help",
        ["intent help, /aide, /help: the commands and the menu"],
        ("Help (capabilities/conversation/basics.py). Payload prefix: help:",),
    )

    def start(self, turn: Turn) -> list[Reply]:
        """Explain in a few lines, then show the menu."""
        _ = turn._
        text = "\n".join(
            [
                _("Posez votre question avec vos mots, ou utilisez les boutons."),
                _("Commandes utiles :"),
                _("/menu : revenir au menu"),
                _("/langue : changer de langue"),
                _("/stop : ne plus recevoir de messages de ma part"),
                _("/mesdonnees : voir ce que je garde sur vous"),
                _("/supprimer : tout effacer"),
                _("Vous pouvez aussi demander à parler à un conseiller à tout moment."),
            ]
        )
        return [Reply(text=text, buttons=menu_rows(turn))]


class SmallTalkFlow(Flow):
    """Bonjour, merci, au revoir: a short answer and the way on."""

    name: ClassVar[str] = "talk"
    intents: ClassVar[tuple[str, ...]] = ("greet", "thanks", "goodbye", "affirm", "deny")
    machine = stateless(
        "talk",
        ["greet, thanks, goodbye, affirm, deny: a short answer (the menu after a greeting)"],
        ("Small talk (capabilities/conversation/basics.py). Payload prefix: talk:",),
    )

    def start(self, turn: Turn) -> list[Reply]:
        """Answer politely; the menu follows a greeting."""
        _ = turn._
        intent = turn.intent
        if intent == "thanks":
            return [Reply(text=_("Avec plaisir ! Autre chose ? Tapez /menu pour voir les sujets."))]
        if intent == "goodbye":
            return [Reply(text=_("Au revoir et bon courage ! Écrivez-moi quand vous voulez."))]
        if intent in ("affirm", "deny"):
            return [menu_reply(turn, _("D'accord. Que puis-je faire pour vous ?"))]
        name = turn.person.display_name
        hello = _("Bonjour {name} !").format(name=name) if name else _("Bonjour !")
        return [menu_reply(turn, hello + " " + _("Que voulez-vous savoir ?"))]
