"""A counsellor records a contact with a participant: a call, a meeting, the CER, a diagnosis.

One function for every way in (``python -m scheduler contact`` and the console's participant
page), so a contact counts the same for the cadence whoever records it: ``phone``,
``physical`` and ``other`` are the week's contact (``physical`` also a meeting), ``cer`` sets
the CER date, ``diagnosis`` the 3-month diagnosis (then the final one).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from capabilities.programme import periods
from core.i18n import N_
from store.db import Session
from store.programme import COUNSELLOR_KINDS, ContactEvent, Participant

KIND_LABELS = {
    "phone": N_("Appel téléphonique"),
    "physical": N_("Rencontre en personne"),
    "other": N_("Autre contact (message, courrier…)"),
    "cer": N_("CER signé"),
    "diagnosis": N_("Diagnostic mis à jour"),
}
DIAGNOSES = ("3m", "final")
CLOCK_SKEW = timedelta(minutes=2)  # a browser clock slightly ahead is not "the future"


class ContactError(ValueError):
    """The contact cannot be recorded; ``str(error)`` is a French ``N_`` sentence."""


def record_contact(
    session: Session,
    participant: Participant,
    *,
    kind: str,
    at: datetime,
    note: str | None = None,
    by: int | None = None,
    which: str | None = None,
    now: datetime | None = None,
) -> ContactEvent:
    """Record it; with ``now``, a contact in the future is refused (the console's rule)."""
    if kind not in COUNSELLOR_KINDS:
        raise ContactError(N_("Type de contact inconnu."))
    if which is not None and which not in DIAGNOSES:
        raise ContactError(N_("Diagnostic : à 3 mois ou final."))
    if now is not None and at > now + CLOCK_SKEW:
        raise ContactError(N_("Un contact ne peut pas être daté dans le futur."))
    event = ContactEvent(
        participant_id=participant.id,
        kind=kind,
        text=note or None,
        occurred_at=at,
        recorded_by=by,
    )
    session.add(event)
    on = periods.local_day(at)
    if kind == "cer":
        participant.cer_signed_on = on
    elif kind == "diagnosis":
        if participant.diagnosis_3m_on is None and which != "final":
            participant.diagnosis_3m_on = on
        else:
            participant.diagnosis_final_on = on
    session.flush()
    return event
