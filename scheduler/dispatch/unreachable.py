"""A person who blocked the bot: their account is marked unreachable (nothing more is sent
there) and their counsellor gets an alert to call them."""

from __future__ import annotations

from datetime import datetime

from scheduler.dispatch.rows import Target
from store import repo_outbox, repo_programme
from store.db import Session
from store.programme import add_task


def mark_unreachable(session: Session, person_id: int, target: Target, now: datetime) -> None:
    """In the transaction that records the failed row."""
    repo_outbox.mark_account_unreachable(session, person_id, target.channel, target.user_ref, now)
    participant = repo_programme.participant_of(session, person_id)
    if participant is not None:
        add_task(
            session,
            key=f"participant_unreachable:{participant.id}:{now.date().isoformat()}",
            participant_id=participant.id,
            counsellor_id=participant.counsellor_id,
            kind="alert",
            rule="participant_unreachable",
            reason=(
                "Le numéro de portable ne reçoit pas les SMS (refusé par l'opérateur) : "
                "vérifiez le numéro avec la personne."
                if target.channel == "sms"
                else "La personne a bloqué l'assistant ou supprimé son compte Telegram : "
                "plus aucun message ne lui parvient. Contactez-la par téléphone."
            ),
            now=now,
        )
