"""Programme meetings are with the participant's referent: their slots, booked with them.

An RSA individual motif (``rsa: true``, ``kind: individual``) booked by a participant whose
referent counsellor works in the agenda (has opening periods) is offered only in the
referent's free slots and booked with them. A referent outside the agenda has no slots of
their own: the one-tap offer of the check-in is not made (the counsellor proposes a date).
Everyone else, and every other motif, books any free staff member as before.
"""

from __future__ import annotations

from store import repo_referent
from store.appointments import Motif
from store.db import Session


def _programme_meeting(session: Session, motif_id: str) -> bool:
    motif = session.get(Motif, motif_id)
    return motif is not None and motif.rsa and motif.kind == "individual"


def referent_for(session: Session, person_id: int, motif_id: str) -> int | None:
    """The staff member this booking must be with (``None``: anyone free)."""
    if not _programme_meeting(session, motif_id):
        return None
    referent = repo_referent.referent_of(session, person_id)
    if referent is None or not repo_referent.in_agenda(session, referent):
        return None
    return referent


def referent_outside_agenda(session: Session, person_id: int) -> bool:
    """A participant whose referent has no slots: nobody else should take the meeting."""
    referent = repo_referent.referent_of(session, person_id)
    return referent is not None and not repo_referent.in_agenda(session, referent)
