"""The conversation's queries: the turn's hot path (claim, load, transcript) and look-ups.

The hot-path statements are built once at import (Core, not the ORM unit of work: a turn is
about a millisecond) and reused, so SQLAlchemy's compiled cache serves them. The update
claim is one multi-row ``INSERT … ON CONFLICT DO NOTHING RETURNING`` in the dialect's own
flavour (SQLite and PostgreSQL both support it).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from store.db import Session, SessionFactory
from store.models import ChannelAccount, MessageLog, Person, ProcessedUpdate

_INSERT_LOG = insert(MessageLog.__table__)  # type: ignore[arg-type]
_UPDATES = ProcessedUpdate.__table__
_CLAIM = {
    postgres: (pg_insert if postgres else sqlite_insert)(_UPDATES)  # type: ignore[arg-type]
    for postgres in (False, True)
}


def offloads(sessions: SessionFactory) -> bool:
    """True when the database waits on the network (PostgreSQL): run turns in a thread."""
    bind = sessions.kw.get("bind")
    return bind is not None and bind.dialect.name == "postgresql"


def claim_updates(
    session: Session, wanted: Collection[tuple[str, int]], at: datetime
) -> set[tuple[str, int]]:
    """Record update ids in one statement; returns those not processed before."""
    connection = session.connection()
    statement = (
        _CLAIM[connection.dialect.name == "postgresql"]
        .values([{"channel": c, "update_id": u, "processed_at": at} for c, u in wanted])
        .on_conflict_do_nothing(index_elements=["channel", "update_id"])
        .returning(_UPDATES.c.channel, _UPDATES.c.update_id)
    )
    return {(row[0], row[1]) for row in connection.execute(statement)}


def accounts_with_conversations(
    session: Session, refs: Collection[tuple[str, str]]
) -> Sequence[ChannelAccount]:
    """The channel accounts among ``refs`` (channel, external ref), person and conversation
    loaded in the same query.

    Two plain ``IN`` lists, not a row-value ``IN``: SQLite scans the whole table for a row
    value list of two or more (a cost growing with everyone ever met, once per turn group),
    while both columns' lists use the unique (channel, external_ref) index. The rare extra
    pairs (a ref known on another channel) are dropped here."""
    wanted = set(refs)
    accounts = session.scalars(
        select(ChannelAccount)
        .where(
            ChannelAccount.channel.in_({channel for channel, _ in wanted}),
            ChannelAccount.external_ref.in_({ref for _, ref in wanted}),
        )
        .options(joinedload(ChannelAccount.person).joinedload(Person.conversation))
    ).all()
    return [a for a in accounts if (a.channel, a.external_ref) in wanted]


def insert_log(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert transcript rows (``message_log``) in one executemany, in the open transaction."""
    session.connection().execute(_INSERT_LOG, rows)


def person_id_of(session: Session, channel: str, external_ref: str) -> int | None:
    """The person behind a channel account, or None (never met, refused or erased)."""
    return session.scalar(
        select(ChannelAccount.person_id).where(
            ChannelAccount.channel == channel,
            ChannelAccount.external_ref == external_ref,
        )
    )
