"""Slash commands and the kind answers to what we cannot read.

Commands work from anywhere: they map onto the same flows as their buttons and intents.
"""

from __future__ import annotations

from capabilities.conversation.keyboards import menu_reply, menu_rows
from capabilities.conversation.turn import Turn
from core.messages import Reply

# command -> (flow name, button args) — the same entry points as the buttons.
COMMANDS: dict[str, tuple[str, list[str]]] = {
    "/aide": ("help", []),
    "/help": ("help", []),
    "/langue": ("lang", []),
    "/language": ("lang", []),
    "/stop": ("prefs", ["stop"]),
    "/mesdonnees": ("privacy", ["show"]),
    "/supprimer": ("privacy", ["erase"]),
}


def run(turn: Turn) -> list[Reply]:
    """Run a command line such as "/menu" or "/start CODE"."""
    head, _, rest = turn.text.partition(" ")
    name = head.split("@")[0].lower()
    if name in ("/menu", "/start"):
        turn.finish()
        if name == "/start" and rest.strip():
            for handler in turn.services.start_handlers:
                answer = handler(turn, rest.strip()[:64])
                if answer is not None:
                    return answer
        if turn.conversation.handoff in ("waiting", "human"):
            flow = turn.services.registry.by_name("human")
            if flow is not None:
                return flow.on_button(turn, ["back"])
        return [menu_reply(turn)]
    target = COMMANDS.get(name)
    flow = turn.services.registry.by_name(target[0]) if target else None
    if target is None or flow is None:
        return [
            menu_reply(
                turn,
                turn._(
                    "Je ne connais pas cette commande. Voici ce que je sais faire "
                    "(ou tapez /aide) :"
                ),
            )
        ]
    return flow.on_button(turn, list(target[1]))


def unsupported(turn: Turn) -> Reply:
    """Stickers, photos, voice notes, documents, locations, contacts…"""
    return Reply(
        text=turn._(
            "Je ne lis que les messages écrits pour l'instant. Écrivez-moi votre question, "
            "ou choisissez un sujet :"
        ),
        buttons=menu_rows(turn),
    )


def edited(turn: Turn) -> Reply:
    """An edited message: we do not replay old steps; we ask to send it again."""
    return Reply(
        text=turn._(
            "J'ai vu que vous avez modifié un message. Je ne relis pas les messages modifiés : "
            "envoyez-le à nouveau, s'il vous plaît."
        )
    )


def stale_button(turn: Turn) -> Reply:
    """A button from an old keyboard, or data that is not ours: nothing is changed."""
    return menu_reply(
        turn,
        turn._(
            "Ce bouton n'est plus valable (le message est trop ancien). Rien n'a été modifié. "
            "Voici le menu :"
        ),
    )
