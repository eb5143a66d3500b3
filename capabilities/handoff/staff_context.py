"""What staff see about a person: hand-off reason, last intents, programme status, owner.

Channel-neutral and read-only; used by the staff group's summary card and the console, in
``STAFF_LANGUAGE`` (never the person's language).
The programme part (referent, last check-in) is read from the store: empty for a person who
is not a participant.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.clock import to_paris
from core.i18n import N_, staff_gettext
from store import repo_handoff, repo_referent
from store.db import Session
from store.models import HandoffRequest, Person

REASON_LABELS = {
    "asked": N_("a demandé un conseiller"),
    "misunderstood": N_("l'assistant n'a pas compris deux fois de suite"),
    "distress": N_("mots de détresse (numéros d'urgence donnés)"),
    "checkin": N_("point hebdomadaire : difficultés ou demande de conseiller"),
}
STATUS_LABELS = {"invited": N_("invitation pas encore acceptée"), "active": N_("actif")}


def reason_labels() -> dict[str, str]:
    """The hand-off reasons as staff read them (``STAFF_LANGUAGE``)."""
    return {key: staff_gettext(label) for key, label in REASON_LABELS.items()}


@dataclass
class PersonContext:
    """A person as staff see them in a summary."""

    person_id: int
    name: str
    reason: str | None
    last_intents: list[str]
    programme: list[str] = field(default_factory=list)

    def card(self) -> str:
        """The summary card posted in the staff topic, in ``STAFF_LANGUAGE``."""
        lines = [
            staff_gettext("Personne n° {id} — {name}").format(id=self.person_id, name=self.name)
        ]
        if self.reason:
            label = reason_labels().get(self.reason, self.reason)
            lines.append(staff_gettext("Motif : {reason}").format(reason=label))
        if self.last_intents:
            lines.append(
                staff_gettext("Derniers sujets : {topics}").format(
                    topics=", ".join(self.last_intents)
                )
            )
        lines.extend(self.programme or [staff_gettext("Programme RSA : non inscrit(e)")])
        lines.append(
            staff_gettext(
                "Répondez dans ce sujet. /resolve pour clore, /note <texte>, /canned <nom>."
            )
        )
        return "\n".join(lines)


def programme_lines(session: Session, person_id: int) -> list[str]:
    """The person's RSA programme status: who follows them, the last weekly check-in.

    Read from the store (the programme capability imports this one, not the reverse).
    """
    found = repo_referent.participation(session, person_id)
    if found is None:
        return []
    participant, referent = found
    status = STATUS_LABELS.get(participant.status)
    lines = [
        staff_gettext("Programme RSA : {name}, suivi(e) par {referent} ({status})").format(
            name=participant.name,
            referent=referent or staff_gettext("personne"),
            status=staff_gettext(status) if status else participant.status,
        )
    ]
    if participant.last_checkin_at is not None:
        when = to_paris(participant.last_checkin_at).strftime("%d/%m %H:%M")
        lines.append(staff_gettext("Dernier point hebdomadaire envoyé : {when}").format(when=when))
    return lines


def participant_owner(session: Session, person_id: int) -> int | None:
    """The staff id of the person's referent counsellor in the programme, if any."""
    return repo_referent.referent_of(session, person_id)


def last_intents(session: Session, person_id: int, limit: int = 5) -> list[str]:
    """The person's last detected intents, most recent first, without repeats."""
    rows = repo_handoff.recent_intents(session, person_id, limit * 3)
    seen: list[str] = []
    for intent in rows:
        if intent and intent not in seen:
            seen.append(intent)
    return seen[:limit]


def person_context(session: Session, person_id: int) -> PersonContext:
    """Everything the summary card shows."""
    person = session.get(Person, person_id)
    request = repo_handoff.latest_request(session, person_id)
    name = (person.display_name if person else None) or staff_gettext("(prénom inconnu)")
    return PersonContext(
        person_id=person_id,
        name=name,
        reason=request.reason if request else None,
        last_intents=last_intents(session, person_id),
        programme=programme_lines(session, person_id),
    )


def since(request: HandoffRequest) -> str:
    """When the request was made, Paris time (for staff)."""
    return to_paris(request.created_at).strftime("%d/%m %H:%M")
