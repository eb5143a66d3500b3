"""Test doubles for the console and hand-off tests: a staff group that records posts."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from capabilities.assistant.assistant import Assistant
from core.ports import Channel
from store.db import SessionFactory
from store.models import ChannelAccount
from store.outbox import OutboxMessage, load_replies


@dataclass
class RecordingStaffGroup:
    """A forum group in memory: topics and what was posted in each."""

    topics: dict[int, str] = field(default_factory=dict)
    posts: list[tuple[int, str]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(7))

    async def create_topic(self, name: str) -> int:
        thread = next(self._ids)
        self.topics[thread] = name
        return thread

    media: list[tuple[int, str, bytes, str, str]] = field(default_factory=list)

    async def post(self, thread_id: int, text: str) -> None:
        self.posts.append((thread_id, text))

    async def post_media(
        self, thread_id: int, kind: str, data: bytes, mime_type: str, caption: str
    ) -> None:
        self.media.append((thread_id, kind, data, mime_type, caption))

    def texts(self, thread_id: int) -> list[str]:
        return [text for thread, text in self.posts if thread == thread_id]


def relayed_texts(assistant: Assistant, person_id: int | None = None) -> list[str]:
    """Texts planned for delivery to people by the relay (outbox rows, rule ``relay``)."""
    with assistant.sessions() as session:
        query = select(OutboxMessage).where(OutboxMessage.rule == "relay")
        if person_id is not None:
            query = query.where(OutboxMessage.person_id == person_id)
        rows = session.scalars(query.order_by(OutboxMessage.id))
        return [reply.text for row in rows for reply in load_replies(row.replies)]


async def drain_relays(sessions: SessionFactory, channel: Channel, now: datetime) -> int:
    """Send pending relay rows like the outbox dispatcher does (until it is wired here)."""
    sent = 0
    with sessions() as session:
        rows = list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.status == "pending", OutboxMessage.rule == "relay")
                .order_by(OutboxMessage.id)
            )
        )
        for row in rows:
            account = session.scalars(
                select(ChannelAccount).where(
                    ChannelAccount.person_id == row.person_id,
                    ChannelAccount.channel == channel.name,
                )
            ).first()
            if account is None:
                row.status = "skipped"
                continue
            await channel.send(account.external_ref, load_replies(row.replies))
            row.status = "sent"
            row.sent_at = now
            sent += 1
        session.commit()
    return sent
