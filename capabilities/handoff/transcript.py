"""What a counsellor reads about a person: the transcript, the state history, the notes."""

from __future__ import annotations

from collections.abc import Iterable

from capabilities.handoff.staff_identity import label_of
from core.i18n import N_, staff_gettext
from store import repo_console, repo_console_queue
from store.console_models import HandoffTransition, StaffNote
from store.db import Session
from store.models import HandoffRequest, MessageLog

HISTORY_SHOWN = 20
# What the person saw on the buttons they pressed (the log keeps the payload only).
BUTTON_LABELS = {
    "consent:yes": N_("J'accepte"),
    "consent:no": N_("Je refuse"),
    "menu": N_("Menu"),
    "human:ask": N_("Parler à un conseiller"),
    "human:back": N_("Revenir à l'assistant"),
    "privacy:show": N_("Mes données"),
    "privacy:erase": N_("Tout effacer"),
    "privacy:confirm": N_("Oui, tout effacer"),
    "privacy:cancel": N_("Non, annuler"),
    "checkin:ok": N_("Ça va bien"),
    "checkin:difficulties": N_("J'ai des difficultés"),
    "checkin:found": N_("J'ai trouvé un emploi ou une formation"),
    "checkin:talk": N_("Je veux parler à mon conseiller"),
    "checkin:slots": N_("Choisir un rendez-vous"),
    "appt:ok": N_("Je confirme"),
    "appt:days": N_("Choisir une autre heure"),
    "appt:new": N_("Prendre rendez-vous"),
    "appt:menu": N_("Mes rendez-vous"),
    "appt:mv": N_("Déplacer"),
    "appt:cx": N_("Annuler"),
    "appt:cxok": N_("Oui, annuler"),
    "appt:yes": N_("Je viens"),
    "appt:no": N_("Je ne peux pas venir"),
    "appt:wl": N_("Prévenez-moi si une place se libère"),
}


def button_label(payload: str | None) -> str:
    """The label a person saw for a logged button payload ("consent:yes" → "J'accepte"), in
    the staff's language."""
    raw = (payload or "").split("~", 1)[0]
    parts = raw.split(":")
    for size in (2, 1):
        label = BUTTON_LABELS.get(":".join(parts[:size]))
        if label:
            return staff_gettext(label)
    if raw.startswith("lang:"):
        return staff_gettext("Langue : {code}").format(code=raw.removeprefix("lang:"))
    if raw.startswith("card:"):
        card = raw.removeprefix("card:").replace("_", " ")
        return staff_gettext("Fiche : {title}").format(title=card)
    return raw or staff_gettext("bouton")


DELIVERY_LABELS = {
    "pending": N_("en attente d'envoi"),
    "sent": N_("envoyé"),
    "failed": N_("échec"),
    "skipped": N_("non remis"),
    "cancelled": N_("annulé"),
}


def delivery(session: Session, messages: list[MessageLog]) -> dict[int, str]:
    """How each counsellor message stands: "envoyé", "en attente d'envoi", "échec : why"."""
    ids = [m.id for m in messages if m.author.startswith("counsellor:")]
    out: dict[int, str] = {}
    for message_id, (status, error) in repo_console_queue.deliveries(session, ids).items():
        label = staff_gettext(DELIVERY_LABELS[status]) if status in DELIVERY_LABELS else status
        out[message_id] = f"{label} : {error}" if error and status != "sent" else label
    return out


def alert_of(session: Session, person_id: int) -> HandoffRequest | None:
    """The person's open request, whose summary keeps the words that raised it."""
    requests = repo_console_queue.open_requests_of(session, [person_id])
    return requests.get(person_id)


def transcript(session: Session, person_id: int, limit: int = 2000) -> list[MessageLog]:
    """The person's messages, oldest first (the last ``limit``)."""
    rows = repo_console_queue.last_messages(session, person_id, limit)
    rows.reverse()
    return rows


def history(session: Session, person_id: int) -> list[HandoffTransition]:
    """The latest hand-off state changes, latest first (who took, answered, resolved)."""
    return repo_console_queue.transitions(session, person_id, HISTORY_SHOWN)


def notes(session: Session, person_id: int) -> list[StaffNote]:
    """Staff's private notes about the person, latest first."""
    return repo_console_queue.notes(session, person_id)


def who_labels(session: Session, keys: Iterable[str]) -> dict[str, str]:
    """How to name the authors of a transcript and of the state history.

    ``counsellor:<id>``/``staff:<id>`` → the staff name; ``telegram:<user id>`` → the linked
    member's name, else "first name @username (Telegram id)"; older ``telegram:<first name>``
    rows keep their first name.
    """
    names = repo_console.staff_names(session)
    labels: dict[str, str] = {}
    for key in set(keys):
        raw = key.removeprefix("counsellor:")
        if raw.startswith("staff:"):
            raw = raw.removeprefix("staff:")
        if raw.isdigit():
            labels[key] = names.get(int(raw)) or staff_gettext("Conseiller n° {n}").format(n=raw)
        elif raw.startswith("telegram:"):
            labels[key] = label_of(session, raw) or f"{raw.removeprefix('telegram:')} (Telegram)"
    return labels
