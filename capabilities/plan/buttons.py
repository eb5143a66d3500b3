"""What a person saw on the plan's buttons, for the counsellor reading the transcript.

The message log keeps the payload only (``plan:a:diploma:none``); the console shows the
label instead, in the staff's language (``STAFF_LANGUAGE``).
"""

from __future__ import annotations

from collections.abc import Callable

from capabilities.plan.questions import BY_KEY
from core.i18n import N_, staff_gettext

# plan:<action>[:<detail>] → the button's label: flow.py and install.py draw them from here.
ACTIONS = {
    "start": N_("Faire le point sur ma situation"),
    "skip": N_("Passer"),
    "why": N_("Pourquoi je demande ça ?"),
    "stop": N_("Arrêter"),
    "keep:yes": N_("Oui, gardez-le"),
    "keep:no": N_("Non merci"),
    "new": N_("Refaire le point"),
    "pdf": N_("Recevoir en PDF"),
}


def action_label(gettext: Callable[[str], str], action: str) -> str:
    """The label of the button of ``action`` (a key of :data:`ACTIONS`) in ``gettext``'s
    language: the person's on the button, the staff's in the transcript."""
    return gettext(ACTIONS[action])


def plan_button_label(payload: str) -> str | None:
    """The label of a plan button (``None``: not a plan payload)."""
    parts = payload.split("~", 1)[0].split(":")
    if parts[0] != "plan" or len(parts) < 2:
        return None
    if parts[1] == "a" and len(parts) >= 4:
        question = BY_KEY.get(parts[2])
        label = dict(question.options).get(parts[3]) if question else None
        return staff_gettext(label) if label else ":".join(parts[3:])
    if parts[1] == "go" and len(parts) == 3:
        return staff_gettext("Étape n° {n}").format(n=parts[2])
    action = ACTIONS.get(":".join(parts[1:3])) or ACTIONS.get(parts[1])
    return staff_gettext(action) if action else None
