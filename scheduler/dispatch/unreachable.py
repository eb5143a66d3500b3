"""A person who blocked the bot: their account is marked unreachable (nothing more is sent
there) and their counsellor gets an alert to call them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scheduler.dispatch.rows import Target
from store.models import ChannelAccount
from store.programme import Participant, add_task


def mark_unreachable(session: Session, person_id: int, target: Target, now: datetime) -> None:
    """In the transaction that records the failed row."""
    session.execute(
        update(ChannelAccount)
        .where(
            ChannelAccount.person_id == person_id,
            ChannelAccount.channel == target.channel,
            ChannelAccount.external_ref == target.user_ref,
        )
        .values(unreachable_at=now)
    )
    participant = session.scalars(
        select(Participant).where(Participant.person_id == person_id)
    ).one_or_none()
    if participant is not None:
        add_task(
            session,
            key=f"participant_unreachable:{participant.id}:{now.date().isoformat()}",
            participant_id=participant.id,
            counsellor_id=participant.counsellor_id,
            kind="alert",
            rule="participant_unreachable",
            reason="La personne a bloqué l'assistant ou supprimé son compte Telegram : "
            "plus aucun message ne lui parvient. Contactez-la par téléphone.",
            now=now,
        )
