"""What the appointments capability tells the RSA programme's cadence and check-in.

- :func:`physical_meetings`: meetings held (marked « vu ») and meetings still to come (active
  bookings), of in-person motifs — the cadence counts held ones as done and future ones as
  planned; :func:`physical_meetings_query` is the same as a query, which the planner folds
  into its set-based aggregates;
- :func:`offer_slots`: one-tap slots of the RSA programme meeting for the weekly check-in;
- :func:`enqueue_due_reminders`: the reminders the scheduler's tick plans.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from capabilities.appointments.agenda import search
from capabilities.appointments.config import load_config
from capabilities.appointments.notices import slot_buttons
from capabilities.appointments.referent import referent_for, referent_outside_agenda
from capabilities.appointments.reminders import enqueue_due_reminders
from capabilities.conversation.turn import Turn
from core.messages import Reply
from store import repo_agenda, repo_appointments
from store.db import Session

__all__ = [
    "enqueue_due_reminders",
    "offer_slots",
    "physical_meetings",
    "physical_meetings_query",
]


physical_meetings_query = repo_appointments.physical_meetings_query


def physical_meetings(
    session: Session, person_ids: Iterable[int], since: datetime, until: datetime, now: datetime
) -> dict[int, list[datetime]]:
    """Start times per person: in-person meetings held before ``now``, active ones after."""
    ids = list(person_ids)
    meetings: dict[int, list[datetime]] = {pid: [] for pid in ids}
    if not ids:
        return meetings
    for person_id, starts_at in repo_appointments.physical_meetings(
        session, ids, since, until, now
    ):
        meetings[person_id].append(starts_at)
    return meetings


def offer_slots(turn: Turn) -> list[Reply] | None:
    """The referent's next free RSA programme meetings, at the Espace with the earliest one."""
    config = load_config()
    motif = repo_agenda.programme_motif(turn.session)
    if motif is None or referent_outside_agenda(turn.session, turn.person.id):
        return None  # the referent has no slots: they propose a date themselves
    referent = referent_for(turn.session, turn.person.id, motif.id)
    slots = search(
        turn.session,
        config.rules,
        turn.now,
        espace_ids=repo_agenda.open_espace_ids(turn.session),
        motif_ids=[motif.id],
        staff_id=referent,
    )
    if not slots:
        return None
    espace_id = min(slots, key=lambda s: s.start).espace_id
    rows = slot_buttons(turn.session, motif.id, espace_id, turn.now, turn.locale, staff_id=referent)
    text = turn._(
        "Vous pouvez choisir tout de suite votre prochaine rencontre avec votre conseiller :"
    )
    return [Reply(text=text, buttons=tuple(rows))]
