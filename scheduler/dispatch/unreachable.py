"""A person who cannot be reached on a channel any more (they blocked the bot, their number
hard-bounces): the account is marked unreachable (nothing more is sent there, stored with
why) and their counsellor gets ONE alert — a second refusal or a webhook delivered twice
finds the account already marked and creates nothing."""

from __future__ import annotations

from datetime import datetime

from core.i18n import N_
from scheduler.dispatch.rows import Target
from store import repo_programme, repo_sms_accounts
from store.db import Session
from store.programme import add_task

SMS_REASON = N_(
    "Le numéro de portable ne reçoit pas les SMS (refusé par l'opérateur) : "
    "vérifiez le numéro avec la personne."
)
TELEGRAM_REASON = N_(
    "La personne a bloqué l'assistant ou supprimé son compte Telegram : "
    "plus aucun message ne lui parvient. Contactez-la par téléphone."
)
# The outbox rows that wait for such a person are kept as failed with this reason.
SMS_STOPPED = N_(
    "SMS arrêtés : le numéro ne reçoit pas les SMS. Vérifiez le numéro, puis cliquez sur "
    "« Reprendre les SMS » dans la console."
)


def mark_unreachable(session: Session, person_id: int, target: Target, now: datetime) -> None:
    """In the transaction that records the failed row."""
    why = "refused by the channel"
    mark_channel_unreachable(session, person_id, target.channel, target.user_ref, why, now)


def mark_channel_unreachable(
    session: Session,
    person_id: int,
    channel: str | None,
    user_ref: str | None,
    why: str,
    now: datetime,
) -> bool:
    """Mark the account and alert the counsellor once; True when newly marked."""
    if not repo_sms_accounts.mark_unreachable(session, person_id, channel, user_ref, why, now):
        return False
    participant = repo_programme.participant_of(session, person_id)
    if participant is not None:
        add_task(
            session,
            key=f"participant_unreachable:{participant.id}:{channel}:{now.isoformat()}"[:120],
            participant_id=participant.id,
            counsellor_id=participant.counsellor_id,
            kind="alert",
            rule="participant_unreachable",
            reason=SMS_REASON if channel == "sms" else TELEGRAM_REASON,
            now=now,
        )
    return True
