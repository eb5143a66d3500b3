"""The hand-off's queries: requests, topics, canned replies, intents, staff identities.

The staff-group sender upsert is the one dialect difference here: ``INSERT … ON CONFLICT DO
UPDATE`` in the SQLite or PostgreSQL flavour.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from store.console_models import CannedReply, StaffTopic, TelegramLinkCode, TelegramSender
from store.db import Session
from store.models import Conversation, HandoffRequest, MessageLog
from store.staff import Staff


# --------------------------------------------------------------------- requests, people
def open_requests(session: Session, person_id: int) -> list[HandoffRequest]:
    """The person's requests not closed yet (normally at most one)."""
    return list(
        session.scalars(
            select(HandoffRequest).where(
                HandoffRequest.person_id == person_id, HandoffRequest.status != "closed"
            )
        )
    )


def latest_request(session: Session, person_id: int) -> HandoffRequest | None:
    """The person's most recent request, whatever its status."""
    return session.scalars(
        select(HandoffRequest)
        .where(HandoffRequest.person_id == person_id)
        .order_by(HandoffRequest.created_at.desc(), HandoffRequest.id.desc())
        .limit(1)
    ).first()


def recent_intents(session: Session, person_id: int, limit: int) -> list[str | None]:
    """The intents of the person's last ``limit`` parsed messages, most recent first."""
    return list(
        session.scalars(
            select(MessageLog.intent)
            .where(MessageLog.person_id == person_id, MessageLog.intent.is_not(None))
            .order_by(MessageLog.created_at.desc(), MessageLog.id.desc())
            .limit(limit)
        )
    )


def conversation_of(session: Session, person_id: int) -> Conversation | None:
    """The person's conversation (None once they erased their data)."""
    return session.scalars(select(Conversation).where(Conversation.person_id == person_id)).first()


# --------------------------------------------------------------------- the staff group
def topic_by_thread(session: Session, chat_id: int, thread_id: int) -> StaffTopic | None:
    """The person's topic behind a thread of the staff group, if it is one."""
    return session.scalars(
        select(StaffTopic).where(StaffTopic.chat_id == chat_id, StaffTopic.thread_id == thread_id)
    ).first()


def canned_reply(session: Session, name: str) -> CannedReply | None:
    """The canned reply of that name."""
    return session.scalars(select(CannedReply).where(CannedReply.name == name)).first()


def canned_names(session: Session) -> list[str]:
    """The names of every canned reply (for the "unknown" answer)."""
    return list(session.scalars(select(CannedReply.name)))


# --------------------------------------------------------------------- staff identities
def upsert_sender(session: Session, user_id: int, values: dict[str, Any]) -> None:
    """Insert or refresh a staff-group sender; two messages at once give one row, no error."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(TelegramSender)
        .values(user_id=user_id, **values)
        .on_conflict_do_update(index_elements=["user_id"], set_=values)
    )


def staff_linked_to(session: Session, user_id: int, *, active: bool = False) -> Staff | None:
    """The member of staff linked to a Telegram user (only an active one if ``active``)."""
    statement = select(Staff).where(Staff.telegram_user_id == user_id)
    if active:
        statement = statement.where(Staff.active)
    return session.scalars(statement).first()


def drop_link_codes(session: Session, staff_id: int) -> None:
    """Delete the member's pending ``/lier`` codes."""
    session.execute(delete(TelegramLinkCode).where(TelegramLinkCode.staff_id == staff_id))


def unlink_others(session: Session, user_id: int, staff_id: int) -> None:
    """Take a Telegram user id away from every member of staff but ``staff_id``."""
    session.execute(
        update(Staff)
        .where(Staff.telegram_user_id == user_id, Staff.id != staff_id)
        .values(telegram_user_id=None)
    )
