"""A counsellor's caseload: open participants with their compliance, and their contacts.

The compliance lines are the report's own (:func:`capabilities.programme.report.participant_lines`),
so the console shows exactly what ``python -m scheduler report`` prints.
"""

from __future__ import annotations

from datetime import datetime

from capabilities.programme.planning import OPEN_STATUSES
from capabilities.programme.report import ParticipantLine, participant_lines
from capabilities.programme.rules import Rules
from store import repo_console_programme
from store.db import Session
from store.programme import ContactEvent, Participant


def open_caseload(
    session: Session, now: datetime, rules: Rules, staff_id: int | None
) -> list[tuple[Participant, ParticipantLine]]:
    """Open participants (one counsellor's, or all) with their compliance line at ``now``."""
    participants = {
        p.id: p for p in repo_console_programme.open_participants(session, OPEN_STATUSES, staff_id)
    }
    if not participants:
        return []
    return [
        (participants[line.participant], line)
        for line in participant_lines(session, now, rules)
        if line.participant in participants
    ]


def last_checkin(session: Session, participant: Participant) -> ContactEvent | None:
    """The participant's latest answer to the weekly check-in, if any."""
    return repo_console_programme.last_checkin(session, participant.id)


def recent_contacts(session: Session, participant: Participant, limit: int) -> list[ContactEvent]:
    """What was recorded for the participant lately (calls, meetings, answers), latest first."""
    return repo_console_programme.recent_contacts(session, participant.id, limit)
