"""What a counsellor reads about a person: the transcript, the state history, the notes."""

from __future__ import annotations

from collections.abc import Iterable

from capabilities.handoff.staff_identity import label_of
from store import repo_console, repo_console_queue
from store.console_models import HandoffTransition, StaffNote
from store.db import Session
from store.models import MessageLog

HISTORY_SHOWN = 20


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
            labels[key] = names.get(int(raw), f"Conseiller n° {raw}")
        elif raw.startswith("telegram:"):
            labels[key] = label_of(session, raw) or f"{raw.removeprefix('telegram:')} (Telegram)"
    return labels
