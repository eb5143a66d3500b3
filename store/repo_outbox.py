"""The outbox dispatcher's queries: claiming due rows (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL), giving them back, recording outcomes, the recipients as of now, retention.

The rows a claim returns are plain tuples in the order of :data:`CLAIMED_COLUMNS`
(``scheduler.dispatch.rows.Claimed`` is built from them). Marking rows sent on a kept
connection is :mod:`store.repo_outbox_marks`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from store.models import ChannelAccount, Person
from store.outbox import OutboxMessage

# What a claim returns, per row (the fields of ``scheduler.dispatch.rows.Claimed``).
CLAIMED_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.idempotency_key,
    OutboxMessage.person_id,
    OutboxMessage.rule,
    OutboxMessage.replies,
    OutboxMessage.expires_at,
    OutboxMessage.ignore_quiet_hours,
    OutboxMessage.attempts,
    OutboxMessage.send_started_at,
)


def claim(
    session: Session,
    worker: str,
    now: datetime,
    stale: datetime,
    room: int,
    rules: Collection[str],
    *,
    among: bool,
) -> list[tuple[Any, ...]]:
    """Claim at most ``room`` due rows (or rows whose claim is older than ``stale``) for
    ``worker``, oldest first: rows of ``rules`` when ``among``, else the others. Two
    dispatchers never get the same row."""
    claimable = or_(
        and_(OutboxMessage.status == "pending", OutboxMessage.not_before <= now),
        and_(OutboxMessage.status == "claimed", OutboxMessage.claimed_at < stale),
    )
    rule = OutboxMessage.rule.in_(rules) if among else OutboxMessage.rule.not_in(rules)
    due = (
        select(OutboxMessage.id)
        .where(claimable, rule)
        .order_by(OutboxMessage.not_before, OutboxMessage.id)
        .limit(room)
        .with_for_update(skip_locked=True)
        # Evaluated once: as an IN (subquery), PostgreSQL may rescan it per row,
        # and SKIP LOCKED then skips the rows just claimed and the LIMIT is lost.
        .cte("due")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.id == due.c.id, claimable)
        .values(
            status="claimed",
            claimed_by=worker,
            claimed_at=now,
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(*CLAIMED_COLUMNS)
        .execution_options(synchronize_session=False)
    )
    return list(session.execute(statement).tuples().all())


def unclaim(session: Session, ids: list[int], worker: str) -> None:
    """Give rows back untouched (claimed ahead, not sent: the attempt does not count)."""
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(ids),
            OutboxMessage.status == "claimed",
            OutboxMessage.claimed_by == worker,
        )
        .values(
            status="pending",
            claimed_by=None,
            claimed_at=None,
            attempts=OutboxMessage.attempts - 1,
        )
        .execution_options(synchronize_session=False)
    )


def record_outcome(
    session: Session,
    row_id: int,
    worker: str,
    status: str,
    now: datetime,
    *,
    error: str | None = None,
    not_before: datetime | None = None,
    refund: bool = False,
    sent_nothing: bool = False,
) -> bool:
    """Write a row's outcome, only while ``worker`` still holds it (else False).

    ``pending`` gives the row back for ``not_before`` (default: now); ``refund`` takes the
    attempt back (a postponement is not a failed attempt); ``sent_nothing`` clears
    ``send_started_at`` (the channel refused the request: nothing to ask it about later)."""
    values: dict[str, Any] = {"status": status, "last_error": error}
    if sent_nothing:
        values["send_started_at"] = None
    if status == "sent":
        values["sent_at"] = now
    if status == "pending":
        values.update(claimed_by=None, claimed_at=None, not_before=not_before or now)
    if refund:
        values["attempts"] = OutboxMessage.attempts - 1
    return _update_claimed(session, row_id, worker, values)


def mark_send_started(session: Session, row_id: int, worker: str, now: datetime) -> bool:
    """``send_started_at`` = now while ``worker`` holds the row (its own commit, before the
    keyed channel is called); False when the claim was lost (then nothing is sent)."""
    return _update_claimed(session, row_id, worker, {"send_started_at": now})


def claim_key(session: Session, key: str, worker: str, now: datetime) -> int | None:
    """Claim the pending row of ``key`` for ``worker`` with ``send_started_at`` = now (a
    turn's replies sent right away through a keyed channel); None when it is not pending
    (already sent, or another dispatcher holds it)."""
    return session.scalar(
        update(OutboxMessage)
        .where(OutboxMessage.idempotency_key == key, OutboxMessage.status == "pending")
        .values(
            status="claimed",
            claimed_by=worker,
            claimed_at=now,
            send_started_at=now,
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )


def people(session: Session, ids: Iterable[int]) -> dict[int, Person]:
    """The people with these ids, by id."""
    return {
        person.id: person for person in session.scalars(select(Person).where(Person.id.in_(ids)))
    }


def reachable_accounts(session: Session, person_ids: Iterable[int]) -> list[ChannelAccount]:
    """The channel accounts of these people not marked unreachable."""
    return list(
        session.scalars(
            select(ChannelAccount).where(
                ChannelAccount.person_id.in_(person_ids), ChannelAccount.unreachable_at.is_(None)
            )
        )
    )


def purge_delivered(session: Session, old: datetime) -> int:
    """Delete rows sent, failed, skipped or cancelled, created before ``old``; returns how
    many."""
    done = session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status.in_(("sent", "failed", "skipped", "cancelled")),
            OutboxMessage.created_at < old,
        )
    )
    return int(getattr(done, "rowcount", 0) or 0)


def unsent_count(session: Session, key_prefix: str) -> int:
    """Rows whose idempotency key starts with ``key_prefix:`` not yet sent (benchmarks)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.idempotency_key.like(f"{key_prefix}:%"),
                OutboxMessage.status != "sent",
            )
        )
        or 0
    )


def claims_per_worker(session: Session, key_prefix: str) -> list[tuple[str | None, int]]:
    """How many rows of ``key_prefix:`` each dispatcher claimed last (benchmarks)."""
    rows = session.execute(
        select(OutboxMessage.claimed_by, func.count())
        .where(OutboxMessage.idempotency_key.like(f"{key_prefix}:%"))
        .group_by(OutboxMessage.claimed_by)
    ).all()
    return [(worker, int(count)) for worker, count in rows]


def _update_claimed(session: Session, row_id: int, worker: str, values: dict[str, Any]) -> bool:
    """Update the row while ``worker`` still holds its claim; False when the claim was lost."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == row_id,
            OutboxMessage.status == "claimed",
            OutboxMessage.claimed_by == worker,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1
