"""Appointment intents, until booking inside the chat exists: a truthful interim answer."""

from __future__ import annotations

from typing import ClassVar

from flows.keyboards import footer_row
from flows.messages import Button, Reply
from flows.registry import Flow
from flows.turn import Turn


class AppointmentInterimFlow(Flow):
    """Say honestly that booking in the chat is not open yet, and offer a counsellor."""

    name: ClassVar[str] = "appt"
    intents: ClassVar[tuple[str, ...]] = (
        "book_appointment",
        "cancel_appointment",
        "reschedule_appointment",
        "my_appointments",
    )

    def start(self, turn: Turn) -> list[Reply]:
        """Any appointment request."""
        _ = turn._
        return [
            Reply(
                text=_(
                    "La prise de rendez-vous directement ici n'est pas encore ouverte. "
                    "Un conseiller peut s'en occuper avec vous : voulez-vous que je transmette "
                    "votre demande ?"
                ),
                buttons=(
                    (Button(_("Oui, transmettre ma demande"), "human:ask"),),
                    (footer_row(turn)[0],),
                ),
            )
        ]
