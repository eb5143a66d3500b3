"""A person's SMS account: marked unreachable (a hard bounce), SMS resumed, number changed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from store.models import ChannelAccount

SMS = "sms"


def sms_account(session: Session, person_id: int) -> ChannelAccount | None:
    """The person's SMS account (one per person), if any."""
    return session.scalars(
        select(ChannelAccount).where(
            ChannelAccount.person_id == person_id, ChannelAccount.channel == SMS
        )
    ).first()


def mark_unreachable(
    session: Session,
    person_id: int,
    channel: str | None,
    external_ref: str | None,
    reason: str,
    now: datetime,
) -> bool:
    """Nothing more goes to this account; True only when it was reachable until now (a
    second bounce, a webhook delivered twice: False, so one alert)."""
    done = session.execute(
        update(ChannelAccount)
        .where(
            ChannelAccount.person_id == person_id,
            ChannelAccount.channel == channel,
            ChannelAccount.unreachable_at.is_(None),
            *(() if external_ref is None else (ChannelAccount.external_ref == external_ref,)),
        )
        .values(unreachable_at=now, unreachable_reason=reason[:120])
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(done, "rowcount", 0))


def unreachable_channels(session: Session, person_ids: Iterable[int]) -> dict[int, set[str]]:
    """The channels each person is marked unreachable on."""
    out: dict[int, set[str]] = {}
    rows = session.execute(
        select(ChannelAccount.person_id, ChannelAccount.channel).where(
            ChannelAccount.person_id.in_(list(person_ids)),
            ChannelAccount.unreachable_at.is_not(None),
        )
    ).all()
    for person_id, channel in rows:
        out.setdefault(int(person_id), set()).add(str(channel))
    return out


def resume(session: Session, person_id: int) -> bool:
    """SMS go to the person again (the counsellor checked the number); True if it was off."""
    done = session.execute(
        update(ChannelAccount)
        .where(
            ChannelAccount.person_id == person_id,
            ChannelAccount.channel == SMS,
            ChannelAccount.unreachable_at.is_not(None),
        )
        .values(unreachable_at=None, unreachable_reason=None)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(done, "rowcount", 0))


def taken_by_other(session: Session, number: str, person_id: int) -> bool:
    """Is ``number`` (E.164) the SMS number of somebody else?"""
    owner = session.scalar(
        select(ChannelAccount.person_id).where(
            ChannelAccount.channel == SMS, ChannelAccount.external_ref == number
        )
    )
    return owner is not None and owner != person_id


def change_number(session: Session, person_id: int, number: str) -> str | None:
    """The person's SMS number becomes ``number`` (reachable again); returns the old one
    (None: the person had no SMS account, one is created)."""
    account = sms_account(session, person_id)
    if account is None:
        session.add(ChannelAccount(person_id=person_id, channel=SMS, external_ref=number))
        return None
    old = account.external_ref
    account.external_ref = number
    account.unreachable_at = None
    account.unreachable_reason = None
    return old
