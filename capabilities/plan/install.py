"""Plug « Faire le point » into the assistant: /mesdonnees, and the offer after a few cards."""

from __future__ import annotations

from typing import TYPE_CHECKING

from capabilities.plan.buttons import action_label
from capabilities.plan.questions import BY_KEY
from core.i18n import format_when, ngettext_for
from core.messages import Button
from store import repo_plan

if TYPE_CHECKING:
    from capabilities.conversation.services import Host
    from capabilities.conversation.turn import Turn

OFFER_AFTER = 3  # information cards read in a row before « Faire le point » is proposed


def data_section(turn: Turn) -> list[str]:
    """/mesdonnees: the plan kept and the answers it was made from."""
    row = repo_plan.get(turn.session, turn.person.id)
    if row is None:
        return []
    _, ngettext = turn._, ngettext_for(turn.locale)
    count = len(row.steps)
    lines = [
        ngettext(
            "• votre plan (« Faire le point »), fait le {when} : {count} étape",
            "• votre plan (« Faire le point »), fait le {when} : {count} étapes",
            count,
        ).format(when=format_when(row.updated_at, turn.locale), count=count)
    ]
    for key, value in row.answers.items():
        question = BY_KEY.get(key)
        if question is None:
            if key == "layoff":
                lines.append("  – " + _("vous avez parlé d'un licenciement"))
            continue
        labels = dict(question.options)
        values = value if isinstance(value, list) else [value]
        shown = ", ".join(
            _(labels[v])
            if v in labels
            else turn.services.catalog.card(v).title["fr"]
            if v in turn.services.catalog
            else str(v)
            for v in values
        )
        lines.append(f"  – {_(question.prompt)} {shown}")
    if row.corrections:
        lines.append(
            "  – "
            + _("corrigé par votre conseiller : {what}").format(
                what=", ".join(sorted(row.corrections))
            )
        )
    return lines


def offer(turn: Turn) -> tuple[Button, ...] | None:
    """After a few information cards in a row, and no plan yet: « Faire le point »."""
    if turn.flow is not None:
        return None
    seen = int(turn.data.get("cards_seen", 0)) + 1
    turn.update(cards_seen=seen)
    if seen != OFFER_AFTER or repo_plan.get(turn.session, turn.person.id) is not None:
        return None
    return (Button(action_label(turn._, "start"), "plan:start"),)


def install(host: Host) -> None:
    """Register the /mesdonnees section and the offer under information cards."""
    if data_section not in host.services.data_sections:
        host.services.data_sections.append(data_section)
    if offer not in host.services.card_extras:
        host.services.card_extras.append(offer)
