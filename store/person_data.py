"""Everything the database keeps about one person, found from the schema itself.

Every table with a foreign key to ``people.id`` holds data about the person; so does a
table that refers to one of those (``contact_events`` → ``participants``). The tables are
discovered from the metadata, so a new table (voice notes, a personal plan…) is part of
the copy (/mesdonnees) and of retention as soon as its model refers to the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, and_, func, select

import store.all_models  # noqa: F401  (every table in the metadata)
from store.base import Base
from store.db import Session

# Technical columns that say nothing about the person and would only help an attacker.
HIDDEN = frozenset(
    {"nonce", "code_hash", "idempotency_key", "claimed_by", "claimed_at", "password_hash"}
)
# Tables about the person that are not theirs to receive (the access log of the console is
# shown, the delivery queue is not: it only repeats the messages; held replies neither, and
# they live a day at most).
SKIPPED = frozenset({"outbox", "processed_updates", "held_replies"})


@dataclass(frozen=True)
class Link:
    """How rows of ``table`` reach a person: ``column`` → people, or → ``via`` → people."""

    table: Table
    column: str
    via: Table | None = None
    via_column: str = ""
    via_key: str = ""


def links() -> list[Link]:
    """Every table holding data about a person (people itself excepted), by name."""
    people = Base.metadata.tables["people"]
    direct: dict[str, Link] = {}
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is people and table is not people:
                direct.setdefault(table.name, Link(table, fk.parent.name))
    found = dict(direct)
    for table in Base.metadata.sorted_tables:
        if table.name in found or table is people:
            continue
        for fk in table.foreign_keys:
            parent = direct.get(fk.column.table.name)
            if parent is not None:
                found[table.name] = Link(
                    table, fk.parent.name, parent.table, parent.column, fk.column.name
                )
                break
    return [found[name] for name in sorted(found) if name not in SKIPPED]


def _where(link: Link, person_id: int) -> Any:
    if link.via is None:
        return link.table.c[link.column] == person_id
    inner = select(link.via.c[link.via_key]).where(link.via.c[link.via_column] == person_id)
    return link.table.c[link.column].in_(inner)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} octets>"
    return value


def rows_of(session: Session, person_id: int) -> dict[str, list[dict[str, Any]]]:
    """The person's row and every row about them, table by table (empty tables left out)."""
    people = Base.metadata.tables["people"]
    out: dict[str, list[dict[str, Any]]] = {}
    tables = [
        (people, people.c.id == person_id),
        *((link.table, _where(link, person_id)) for link in links()),
    ]
    for table, where in tables:
        columns = [c for c in table.columns if c.name not in HIDDEN]
        order = list(table.primary_key.columns)
        result = session.execute(select(*columns).where(where).order_by(*order))
        rows = [{k: _plain(v) for k, v in row._mapping.items()} for row in result]
        if rows:
            out[table.name] = rows
    return out


def counts_for(session: Session, person_ids: list[int]) -> dict[str, int]:
    """How many rows each table holds about these people (for a retention dry run)."""
    if not person_ids:
        return {}
    counts = {"people": len(person_ids)}
    for link in links():
        if link.via is None:
            where = link.table.c[link.column].in_(person_ids)
        else:
            inner = select(link.via.c[link.via_key]).where(
                link.via.c[link.via_column].in_(person_ids)
            )
            where = link.table.c[link.column].in_(inner)
        count = session.scalar(select(func.count()).select_from(link.table).where(where))
        if count:
            counts[link.table.name] = int(count)
    return counts


def inactive_people(session: Session, before: datetime) -> list[int]:
    """People with no message (either way) since ``before`` and created before it."""
    people = Base.metadata.tables["people"]
    messages = Base.metadata.tables["messages"]
    last = (
        select(messages.c.person_id, func.max(messages.c.created_at).label("last"))
        .group_by(messages.c.person_id)
        .subquery()
    )
    query = (
        select(people.c.id)
        .select_from(people.outerjoin(last, last.c.person_id == people.c.id))
        .where(
            and_(
                people.c.created_at < before,
                func.coalesce(last.c.last, people.c.created_at) < before,
            )
        )
        .order_by(people.c.id)
    )
    return list(session.scalars(query))
