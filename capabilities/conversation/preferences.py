"""/langue and /stop: the person's language and whether we may write first."""

from __future__ import annotations

from typing import ClassVar

from capabilities.conversation.keyboards import footer_row
from capabilities.conversation.machine import stateless
from capabilities.conversation.registry import Flow
from capabilities.conversation.turn import Turn
from core.i18n import LANGUAGE_NAMES, OFFERED, gettext_for
from core.messages import Button, Reply


class LanguageFlow(Flow):
    """Switch the interface language (content may stay in French, and says so)."""

    name: ClassVar[str] = "lang"
    intents: ClassVar[tuple[str, ...]] = ("language_help",)  # "je parle pas bien francais"
    machine = stateless(
        "lang",
        [
            "/langue, lang, language_help: the offered languages (and simpler words)",
            "lang:<code>: the interface language is set",
        ],
        ("Language (capabilities/conversation/preferences.py). Payload prefix: lang:",),
    )

    def start(self, turn: Turn) -> list[Reply]:
        """Offer the languages whose interface is complete."""
        buttons = tuple(Button(LANGUAGE_NAMES[code], f"lang:{code}") for code in OFFERED)
        text = turn._("Choisissez votre langue :")
        if turn.intent == "language_help" and turn.is_text:
            text = (
                turn._(
                    "Pas de souci. Je peux vous parler dans une autre langue.\n"
                    "Les boutons marchent aussi : pas besoin d'écrire.\n"
                    "Un conseiller peut aussi vous aider."
                )
                + "\n"
                + text
            )
            return [Reply(text=text, buttons=(buttons, footer_row(turn)))]
        return [Reply(text=text, buttons=(buttons,))]

    def on_button(self, turn: Turn, args: list[str]) -> list[Reply]:
        """``lang:<code>`` sets the language; no argument shows the choice."""
        if not args or args[0] not in OFFERED:
            return self.start(turn)
        turn.person.locale = args[0]
        turn.locale = args[0]
        turn.translations = gettext_for(args[0])
        return [Reply(text=turn._("C'est noté, je vous parle maintenant en français."))]


class PreferencesFlow(Flow):
    """/stop: no more proactive messages (check-ins, reminders) until the person says so."""

    name: ClassVar[str] = "prefs"
    intents: ClassVar[tuple[str, ...]] = ("stop_notifications",)
    machine = stateless(
        "prefs",
        ["stop_notifications, /stop, prefs:stop: no proactive messages", "prefs:on: allowed again"],
        ("Proactive messages (capabilities/conversation/preferences.py). Payload prefix: prefs:",),
    )

    def start(self, turn: Turn) -> list[Reply]:
        """The intent "arrêtez les messages" behaves like /stop."""
        return self.on_button(turn, ["stop"])

    def on_button(self, turn: Turn, args: list[str]) -> list[Reply]:
        """``prefs:stop`` and ``prefs:on``."""
        _ = turn._
        if args and args[0] == "on":
            turn.person.proactive_opt_out = False
            return [
                Reply(
                    text=_("C'est noté : je pourrai à nouveau vous écrire (rappels, suivi)."),
                    buttons=(footer_row(turn),),
                )
            ]
        turn.person.proactive_opt_out = True
        return [
            Reply(
                text=_(
                    "C'est noté : je ne vous écrirai plus de moi-même (ni rappels, ni messages "
                    "de suivi). Vous pouvez toujours m'écrire. Attention : sans rappel, pensez "
                    "à noter vos rendez-vous."
                ),
                buttons=((Button(_("Réactiver les messages"), "prefs:on"),), footer_row(turn)),
            )
        ]
