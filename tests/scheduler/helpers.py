"""Test doubles for the scheduler: an in-memory channel, virtual time, database fixtures."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, select

from core.clock import PARIS, FrozenClock
from core.messages import Reply
from core.ports import DeliveryError
from store.db import SessionFactory, make_engine, make_session_factory
from store.migrate import upgrade
from store.models import ChannelAccount, Conversation, Person
from store.outbox import OutboxMessage
from store.programme import Participant
from store.staff import Staff


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


@dataclass
class FakeChannel:
    """Implements ``core.ports.Channel`` in memory; errors can be scripted per person."""

    name: str = "telegram"
    sent: list[tuple[str, list[Reply]]] = field(default_factory=list)
    errors: dict[str, list[DeliveryError]] = field(default_factory=lambda: defaultdict(list))
    times: list[float] = field(default_factory=list)
    clock: VirtualTime | None = None
    delivered: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, user_ref: str, replies: Sequence[Reply]) -> None:
        if self.errors.get(user_ref):
            raise self.errors[user_ref].pop(0)
        self.sent.append((user_ref, list(replies)))
        self.delivered.set()
        if self.clock is not None:
            self.times.append(self.clock.monotonic())

    def refs(self) -> list[str]:
        return [ref for ref, _ in self.sent]


class VirtualTime:
    """A wall clock and a monotonic clock that only move when the code sleeps."""

    def __init__(self, start: datetime) -> None:
        self.wall = FrozenClock(start)
        self.mono = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.mono

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.mono += seconds
        self.wall.advance(seconds=seconds)

    def advance(self, **delta: float) -> None:
        seconds = timedelta(**delta).total_seconds()
        self.mono += seconds
        self.wall.advance(seconds=seconds)


def database(url: str) -> tuple[Engine, SessionFactory]:
    engine = make_engine(url)
    upgrade(engine)
    return engine, make_session_factory(engine)


def add_person(
    sessions: SessionFactory,
    ref: str,
    *,
    channel: str = "telegram",
    opted_out: bool = False,
    consent: str = "given",
) -> int:
    with sessions() as session:
        person = Person(consent=consent, proactive_opt_out=opted_out)
        session.add_all(
            [
                person,
                ChannelAccount(person=person, channel=channel, external_ref=ref),
                Conversation(person=person, data={}),
            ]
        )
        session.commit()
        return person.id


def add_counsellor(sessions: SessionFactory, name: str = "Claire Martin") -> int:
    with sessions() as session:
        staff = Staff(name=name, role="counsellor")
        session.add(staff)
        session.commit()
        return staff.id


def add_participant(
    sessions: SessionFactory,
    *,
    counsellor_id: int,
    person_id: int | None = None,
    orientation_on: date = date(2026, 9, 1),
    **kwargs: object,
) -> int:
    with sessions() as session:
        participant = Participant(
            name="Samia B.",
            counsellor_id=counsellor_id,
            person_id=person_id,
            orientation_on=orientation_on,
            status="active",
            **kwargs,
        )
        session.add(participant)
        session.commit()
        return participant.id


def outbox(sessions: SessionFactory) -> list[OutboxMessage]:
    with sessions() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
