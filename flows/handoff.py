"""Asking for a human: the request is recorded and the person told what happens next.

States of a conversation: ``bot`` → ``waiting`` → ``human`` → ``resolved`` → ``bot``.
While ``waiting`` or ``human`` the router keeps the bot silent and relays messages (the
``relay`` event); the counsellor side (console, staff group) listens to the events.
"""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import select

from flows.keyboards import footer_row, menu_reply
from flows.messages import Button, Reply
from flows.registry import Flow
from flows.turn import Turn
from store.models import HandoffRequest

REASONS = ("asked", "misunderstood", "distress", "checkin")


def open_request(turn: Turn, reason: str) -> tuple[HandoffRequest, bool]:
    """The person's open request, or a new one; True when it was just created."""
    existing = turn.session.scalars(
        select(HandoffRequest).where(
            HandoffRequest.person_id == turn.person.id, HandoffRequest.status != "closed"
        )
    ).first()
    if existing is not None:
        return existing, False
    request = HandoffRequest(person_id=turn.person.id, reason=reason, created_at=turn.now)
    turn.session.add(request)
    turn.session.flush()
    conversation = turn.conversation
    conversation.handoff = "waiting"
    conversation.handoff_at = turn.now
    conversation.handoff_by = None
    turn.finish()
    turn.emit("handoff", request_id=request.id, reason=reason)
    return request, True


class HumanFlow(Flow):
    """``talk_to_human``: hand the conversation to a counsellor."""

    name: ClassVar[str] = "human"
    intents: ClassVar[tuple[str, ...]] = ("talk_to_human",)

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
            text = intro + _(
                "J'ai transmis votre demande aux conseillers des Espaces 20 000 emplois. "
                "Un conseiller vous répondra ici, dans cette conversation, pendant les heures "
                "d'ouverture. Je ne peux pas vous promettre l'heure exacte. Écrivez-lui "
                "directement votre question : il la lira."
            )
        return [
            Reply(
                text=text,
                buttons=((Button(_("Revenir à l'assistant"), "human:back"),),),
            )
        ]

    def _back(self, turn: Turn) -> list[Reply]:
        conversation = turn.conversation
        if conversation.handoff in ("waiting", "human"):
            conversation.handoff = "bot"
            conversation.handoff_at = turn.now
            for request in turn.session.scalars(
                select(HandoffRequest).where(
                    HandoffRequest.person_id == turn.person.id, HandoffRequest.status != "closed"
                )
            ):
                request.status = "closed"
                request.closed_at = turn.now
            turn.emit("handoff_back")
        return [menu_reply(turn, turn._("D'accord, c'est de nouveau moi, l'assistant."))]


def interim_rows(turn: Turn) -> tuple[tuple[Button, ...], ...]:
    """Buttons under an interim answer: a human and the menu."""
    return (footer_row(turn),)
