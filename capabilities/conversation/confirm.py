"""Ask first: an action that changes something, read from free text, waits for one tap.

The NLU can be confidently wrong where it hurts ("jai plus de toit" read as "stop the
messages"). So when free text asks for an action that changes something, the router does not
run it: it asks "Voulez-vous vraiment … ?" with a "Oui" and a "Non" button. Commands (/stop)
and buttons act at once: the person chose them.

Which actions ask here, and which ask in their own flow:
- stop_notifications (no more reminders or check-ins): asks here;
- delete_my_data: the privacy flow always asks "Voulez-vous vraiment tout effacer ?";
- cancel_appointment: the booking flow always asks "Voulez-vous vraiment annuler … ?";
- reschedule_appointment: nothing changes until the new moment is confirmed (the old slot
  stays booked meanwhile);
- leaving the RSA programme is never done by the bot (a counsellor does it in the console).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from capabilities.conversation.keyboards import footer_row
from capabilities.conversation.machine import Machine, moves
from capabilities.conversation.registry import Flow
from capabilities.conversation.turn import Turn
from core.i18n import N_
from core.messages import Button, Reply

NAME = "confirm"


@dataclass(frozen=True, slots=True)
class Ask:
    """What a "Oui" runs (a flow's button with its arguments) and how the question reads."""

    flow: str
    args: tuple[str, ...]
    question: str  # N_() marked, translated when shown
    yes: str


ASK_FIRST: dict[str, Ask] = {
    "stop_notifications": Ask(
        flow="prefs",
        args=("stop",),
        question=N_(
            "Vous voulez que je ne vous écrive plus de moi-même ?\n"
            "Vous n'aurez plus les rappels de rendez-vous ni les messages de suivi."
        ),
        yes=N_("Oui, plus de messages"),
    ),
}


class Step(StrEnum):
    """Where the confirmation holds the conversation."""

    ASKED = "asked"  # the question is on screen, with its Oui / Non buttons


MACHINE = Machine(
    NAME,
    Step,
    moves(
        (None, Step.ASKED, "free text asking for an action that changes something"),
        (Step.ASKED, None, "confirm:yes (stamped) or a typed oui: the action runs"),
        (Step.ASKED, None, "confirm:no or a typed non: nothing changes"),
        (Step.ASKED, None, "another question: dropped, the question is answered"),
    ),
    (
        "Ask first (capabilities/conversation/confirm.py). Payload prefix: confirm:",
        "An unstamped or out-of-context confirm:yes is refused and changes nothing.",
    ),
)


def asks_first(intent: str | None) -> bool:
    """True when this intent, read from free text, must be confirmed by the person."""
    return intent in ASK_FIRST


class ConfirmFlow(Flow):
    """The one-tap confirmation of an action read from free text."""

    name: ClassVar[str] = NAME
    button_only = True  # entered by the router, never by an intent of its own
    machine = MACHINE

    def ask(self, turn: Turn, intent: str) -> list[Reply]:
        """Show the question; nothing is changed yet."""
        ask = ASK_FIRST[intent]
        turn.enter(NAME, Step.ASKED, intent=intent)
        return [
            Reply(
                text=turn._(ask.question),
                buttons=(
                    (
                        Button(turn._(ask.yes), turn.stamp(f"{NAME}:yes")),
                        Button(turn._("Non, ne rien changer"), turn.stamp(f"{NAME}:no")),
                    ),
                ),
            )
        ]

    def start(self, turn: Turn) -> list[Reply]:
        """Not reachable by an intent; kept for the Flow contract."""
        return self.ask(turn, str(turn.intent))

    def on_button(self, turn: Turn, args: list[str]) -> list[Reply]:
        """``confirm:yes`` runs the action asked for; ``confirm:no`` changes nothing."""
        pending = turn.data.get("intent") if turn.flow == NAME else None
        if args and args[0] == "yes":
            if pending not in ASK_FIRST or not turn.stamped:
                turn.finish()
                return [self._expired(turn)]
            return self._run(turn, ASK_FIRST[pending])
        turn.finish()
        return [Reply(text=turn._("D'accord, je ne change rien."), buttons=(footer_row(turn),))]

    def on_text(self, turn: Turn) -> list[Reply] | None:
        """A typed "oui" / "non" answers the question; anything else is a new question."""
        pending = turn.data.get("intent")
        confident = turn.confidence >= turn.settings.nlu_threshold
        if confident and turn.intent == "affirm" and pending in ASK_FIRST:
            return self._run(turn, ASK_FIRST[pending])
        if confident and turn.intent == "deny":
            turn.finish()
            return [Reply(text=turn._("D'accord, je ne change rien."), buttons=(footer_row(turn),))]
        turn.finish()  # the question is dropped: the router answers the new message
        return None

    def _run(self, turn: Turn, ask: Ask) -> list[Reply]:
        turn.finish()
        target = turn.services.registry.by_name(ask.flow)
        if target is None:  # a registry without that flow (tests building a small one)
            return [self._expired(turn)]
        return target.on_button(turn, list(ask.args))

    @staticmethod
    def _expired(turn: Turn) -> Reply:
        return Reply(
            text=turn._("Cette question n'est plus valable. Je n'ai rien changé."),
            buttons=(footer_row(turn),),
        )
