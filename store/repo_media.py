"""Queries on the voice notes and photos kept for counsellors (:mod:`store.media`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import defer

from store.db import Session
from store.media import PersonMedia
from store.staff import Staff


def add(
    session: Session,
    *,
    person_id: int,
    kind: str,
    mime_type: str,
    data: bytes,
    duration_s: int | None,
    caption: str,
    at: datetime,
) -> PersonMedia:
    """Keep one voice note or photo (flushed: it has its id)."""
    row = PersonMedia(
        person_id=person_id,
        kind=kind,
        mime_type=mime_type,
        size=len(data),
        duration_s=duration_s,
        caption=caption[:1024],
        data=data,
        created_at=at,
    )
    session.add(row)
    session.flush()
    return row


def counts(session: Session, person_id: int) -> dict[str, int]:
    """How many voice notes and photos we keep about the person, by kind."""
    rows = session.execute(
        select(PersonMedia.kind, func.count())
        .where(PersonMedia.person_id == person_id)
        .group_by(PersonMedia.kind)
    )
    return {kind: int(count) for kind, count in rows}


def of_person(session: Session, person_id: int) -> list[PersonMedia]:
    """The person's media, oldest first, without loading the bytes."""
    query = (
        select(PersonMedia)
        .options(defer(PersonMedia.data))
        .where(PersonMedia.person_id == person_id)
        .order_by(PersonMedia.created_at, PersonMedia.id)
    )
    return list(session.scalars(query))


def get(session: Session, media_id: int) -> PersonMedia | None:
    """One medium with its bytes."""
    return session.get(PersonMedia, media_id)


def has_console_readers(session: Session) -> bool:
    """Is there an active staff account that can sign in to the console (read hand-offs)?"""
    readers = select(Staff.id).where(Staff.active.is_(True), Staff.password_hash.is_not(None))
    return session.scalar(readers.limit(1)) is not None
