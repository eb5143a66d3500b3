"""« Votre plan » as the person reads it: numbered steps, plain words, each with its source."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from capabilities.conversation.turn import Turn
from capabilities.plan.rules import Agenda, Bookable, Step, load_rules
from store.appointments import Motif

_URL = re.compile(r"https?://(?:www\.)?([^/\s]+)")


def source_label(sources: tuple[str, ...], _: Any) -> str:
    """Short, readable sources: the websites' names, or the project's documents."""
    labels: list[str] = []
    for source in sources:
        found = _URL.search(source)
        if found:
            label = found.group(1)
        elif "seed:" in source:
            label = _("documents d'Entreprendre Ensemble")
        else:
            label = _("les sources de la fiche")
        if label not in labels:
            labels.append(label)
    return ", ".join(labels)


def step_title(turn: Turn, step: Step, espaces: Mapping[str, Bookable]) -> str:
    """What the step is, in a few words."""
    _ = turn._
    if step.kind == "book":
        motif = turn.session.get(Motif, step.target)
        label = motif.label if motif else step.target
        place = espaces.get(step.espace or "")
        if place is not None:
            return _("Prendre rendez-vous : {motif}, à l'{espace}").format(
                motif=label, espace=place.name
            )
        return _("Prendre rendez-vous : {motif}").format(motif=label)
    card = turn.services.catalog.card(step.target)
    locale = turn.locale if turn.locale in card.title else "fr"
    return _("Lire : {title}").format(title=card.title[locale])


def plan_text(turn: Turn, steps: tuple[Step, ...], agenda: Agenda) -> str:
    """The plan, one step after the other."""
    _ = turn._
    espaces = {e.id: e for e in agenda.espaces}
    lines = [_("Votre plan"), ""]
    for number, step in enumerate(steps, start=1):
        why = step.why.get(turn.locale) or step.why["fr"]
        lines.append(f"{number}. {step_title(turn, step, espaces)}")
        lines.append(why)
        lines.append(_("Source : {source}").format(source=source_label(step.sources, _)))
        lines.append("")
    lines.append(_("Touchez une étape pour commencer. Vous pouvez refaire le point à tout moment."))
    return "\n".join(lines)


def stored_steps(rows: list[dict[str, Any]]) -> tuple[Step, ...]:
    """Steps saved in the store, rebuilt from today's rules (a rule removed since is skipped)."""
    rules = {rule.id: rule for rule in load_rules().rules}
    steps: list[Step] = []
    for row in rows:
        rule = rules.get(str(row.get("rule")))
        kind, _sep, target = str(row.get("key", "")).partition(":")
        if rule is None or kind not in ("card", "book") or not target:
            continue
        sources = tuple(item.source for item in rule.relies_on)
        espace = row.get("espace") if isinstance(row.get("espace"), str) else None
        steps.append(Step(rule.id, kind, target, rule.why, sources, espace))  # type: ignore[arg-type]
    return tuple(steps)
