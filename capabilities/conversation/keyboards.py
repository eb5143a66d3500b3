"""Buttons that appear everywhere: the main menu and the footer of every answer."""

from __future__ import annotations

from capabilities.conversation.turn import Turn
from core.messages import Button, Reply

Rows = tuple[tuple[Button, ...], ...]


def menu_rows(turn: Turn) -> Rows:
    """The main menu: the topics, « Faire le point », the Espaces, RSA and urgent needs,
    appointments, a human."""
    _ = turn._
    return (
        (Button(_("Métiers qui recrutent"), "card:trades"),),
        (Button(_("Faire le point sur ma situation"), "plan:start"),),
        (Button(_("Se former"), "card:trainings"), Button(_("Se déplacer"), "card:transport")),
        (Button(_("Se loger"), "card:housing"), Button(_("Garde d'enfants"), "card:childcare")),
        (Button(_("Les Espaces 20 000 emplois"), "card:espaces"),),
        (
            Button(_("Au RSA, moins de 26 ans"), "card:rsa"),
            Button(_("Besoin d'aide"), "card:needs"),
        ),
        (Button(_("Mes rendez-vous"), "appt:menu"),),
        (Button(_("Parler à un conseiller"), "human:ask"),),
    )


def menu_reply(turn: Turn, intro: str | None = None) -> Reply:
    """The menu with a short question (or the given intro)."""
    text = intro or turn._(
        "Que voulez-vous savoir ? Choisissez un sujet ou écrivez votre question."
    )
    return Reply(text=text, buttons=menu_rows(turn))


def footer_row(turn: Turn) -> tuple[Button, ...]:
    """ "Retour au menu" and "Parler à un conseiller", under every answer."""
    _ = turn._
    return (Button(_("Retour au menu"), "menu"), Button(_("Parler à un conseiller"), "human:ask"))
