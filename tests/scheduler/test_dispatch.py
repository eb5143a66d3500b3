"""The outbox dispatcher: rate, retries, blocked people, /stop and quiet hours at send time,
crash safety, and two dispatchers on one PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from capabilities.programme.rules import Rules, parse_rules
from capabilities.programme.templates import checkin_template
from core.messages import Reply
from core.ports import DeliveryError, RecipientBlocked, RetryLater, TransientDeliveryError
from scheduler.dispatch import Dispatcher
from store.db import SessionFactory
from store.models import ChannelAccount, Person
from store.outbox import OutboxMessage, enqueue
from store.programme import CounsellorTask
from tests.pg import temporary_database
from tests.scheduler.helpers import (
    FakeChannel,
    VirtualTime,
    add_counsellor,
    add_participant,
    add_person,
    database,
    outbox,
    paris,
)

TUESDAY_10 = paris(2026, 12, 1, 10)


def rules(**dispatch: Any) -> Rules:
    return parse_rules({"dispatch": dispatch})


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[SessionFactory]:
    engine, factory = database(f"sqlite:///{tmp_path / 'd.db'}")
    yield factory
    engine.dispose()


@pytest.fixture
def vt() -> VirtualTime:
    return VirtualTime(TUESDAY_10)


def plan(
    sessions: SessionFactory,
    person_id: int | None,
    key: str,
    *,
    rule: str = "weekly_checkin",
    at: datetime = TUESDAY_10,
    **kwargs: Any,
) -> None:
    with sessions() as session:
        enqueue(
            session,
            key=key,
            person_id=person_id,
            rule=rule,
            replies=[Reply(text=f"message {key}")],
            not_before=at,
            **kwargs,
        )
        session.commit()


OPENED: list[Dispatcher] = []


@pytest.fixture(autouse=True)
async def close_dispatchers() -> AsyncIterator[None]:
    """Every dispatcher a test made gives back its kept connection."""
    yield
    while OPENED:
        await OPENED.pop().close()


def dispatcher(
    sessions: SessionFactory, channel: FakeChannel, vt: VirtualTime, **kwargs: Any
) -> Dispatcher:
    made = Dispatcher(
        sessions,
        {"telegram": channel},
        kwargs.pop("rules", rules()),
        clock=vt.wall,
        monotonic=vt.monotonic,
        sleep=vt.sleep,
        offload=False,
        **kwargs,
    )
    OPENED.append(made)
    return made


def statuses(sessions: SessionFactory) -> dict[str, str]:
    return {row.idempotency_key: row.status for row in outbox(sessions)}


async def test_sends_at_the_configured_rate(sessions: SessionFactory, vt: VirtualTime) -> None:
    people = [add_person(sessions, str(100 + i)) for i in range(90)]
    for i, pid in enumerate(people):
        plan(sessions, pid, f"k{i}")
    channel = FakeChannel(clock=vt)
    d = dispatcher(sessions, channel, vt)
    sent = 0
    while (batch := await d.drain_once()) > 0:
        sent += batch
    assert sent == 90
    assert len(set(channel.refs())) == 90
    elapsed = channel.times[-1] - channel.times[0]
    assert elapsed == pytest.approx(89 / 30, rel=0.01)  # 30 messages per second, evenly
    assert set(statuses(sessions).values()) == {"sent"}
    paid = dispatcher(sessions, FakeChannel(), vt, rules=rules(paid_broadcast=True))
    assert paid.limiter.rate == 1000


async def test_retry_later_pauses_and_requeues(sessions: SessionFactory, vt: VirtualTime) -> None:
    pid = add_person(sessions, "42")
    plan(sessions, pid, "a")
    channel = FakeChannel(clock=vt)
    channel.errors["42"].append(RetryLater(7))
    d = dispatcher(sessions, channel, vt)
    assert await d.drain_once() == 0
    (row,) = outbox(sessions)
    assert row.status == "pending"
    assert row.not_before == TUESDAY_10 + timedelta(seconds=7)
    assert row.attempts == 0  # a postponement is not a failure
    assert await d.drain_once() == 0  # not yet due
    vt.advance(seconds=7)
    assert await d.drain_once() == 1
    assert channel.refs() == ["42"]


async def test_network_errors_are_retried_with_backoff_then_given_up(
    sessions: SessionFactory, vt: VirtualTime
) -> None:
    pid = add_person(sessions, "42")
    plan(sessions, pid, "a")
    channel = FakeChannel(clock=vt)
    channel.errors["42"].extend([TransientDeliveryError("timeout")] * 2)
    d = dispatcher(sessions, channel, vt)
    await d.drain_once()
    assert outbox(sessions)[0].not_before == TUESDAY_10 + timedelta(seconds=5)
    vt.advance(seconds=5)
    await d.drain_once()
    assert outbox(sessions)[0].not_before == vt.wall() + timedelta(seconds=10)
    vt.advance(seconds=10)
    assert await d.drain_once() == 1
    assert channel.refs() == ["42"]
    # A person whose network never answers: failed after max_attempts, never lost silently.
    other = add_person(sessions, "43")
    plan(sessions, other, "b")
    channel.errors["43"].extend([TransientDeliveryError("down")] * 10)
    d = dispatcher(sessions, channel, vt, rules=rules(max_attempts=3))
    for _ in range(6):
        await d.drain_once()
        vt.advance(seconds=60)
    row = next(r for r in outbox(sessions) if r.idempotency_key == "b")
    assert row.status == "failed" and row.attempts == 3
    assert "gave up" in (row.last_error or "")


async def test_blocked_person_is_marked_unreachable_and_the_counsellor_alerted(
    sessions: SessionFactory, vt: VirtualTime
) -> None:
    pid = add_person(sessions, "42")
    counsellor = add_counsellor(sessions)
    participant = add_participant(sessions, counsellor_id=counsellor, person_id=pid)
    plan(sessions, pid, "a")
    plan(sessions, pid, "b", rule="checkin_reminder")
    channel = FakeChannel(clock=vt)
    channel.errors["42"].append(RecipientBlocked("Forbidden: bot was blocked by the user"))
    d = dispatcher(sessions, channel, vt)
    assert await d.drain_once() == 0
    assert statuses(sessions) == {"a": "failed", "b": "skipped"}
    assert channel.sent == []
    with sessions() as session:
        account = session.scalars(select(ChannelAccount)).one()
        assert account.unreachable_at == TUESDAY_10
        (task,) = session.scalars(select(CounsellorTask)).all()
        assert task.kind == "alert" and task.rule == "participant_unreachable"
        assert task.participant_id == participant and task.counsellor_id == counsellor


async def test_stop_is_respected_at_send_time_but_a_counsellor_reply_still_arrives(
    sessions: SessionFactory, vt: VirtualTime
) -> None:
    pid = add_person(sessions, "42")
    plan(sessions, pid, "checkin")
    plan(sessions, pid, "relay-1", rule="relay", ignore_quiet_hours=True)
    with sessions() as session:  # /stop after planning, before sending
        session.execute(update(Person).values(proactive_opt_out=True))
        session.commit()
    channel = FakeChannel(clock=vt)
    assert await dispatcher(sessions, channel, vt).drain_once() == 1
    assert statuses(sessions) == {"checkin": "skipped", "relay-1": "sent"}
    assert channel.sent[0][1][0].text == "message relay-1"


async def test_quiet_hours_are_checked_at_send_time(sessions: SessionFactory) -> None:
    vt = VirtualTime(paris(2026, 12, 1, 21, 15))  # Tuesday evening
    pid = add_person(sessions, "42")
    at = paris(2026, 12, 1, 17)  # planned in the afternoon, the dispatcher was late
    plan(sessions, pid, "checkin", at=at)
    plan(sessions, pid, "appointment", rule="reminder_day_of", at=at, ignore_quiet_hours=True)
    plan(sessions, pid, "relay", rule="relay", at=at)
    channel = FakeChannel(clock=vt)
    d = dispatcher(sessions, channel, vt)
    assert await d.drain_once() == 1
    assert channel.sent[0][1][0].text == "message relay"
    rows = {row.idempotency_key: row for row in outbox(sessions)}
    assert rows["checkin"].status == "pending"
    assert rows["checkin"].not_before == paris(2026, 12, 2, 8, 30)
    assert rows["appointment"].not_before == paris(2026, 12, 2, 8, 30)  # never at night
    vt.advance(hours=11, minutes=15)  # Wednesday 08:30: quiet hours over, check-in window not
    assert await d.drain_once() == 1
    assert [reply[0].text for _, reply in channel.sent][-1] == "message appointment"
    assert {row.idempotency_key: row for row in outbox(sessions)}["checkin"].not_before == (
        paris(2026, 12, 2, 9)
    )
    vt.advance(minutes=30)
    assert await d.drain_once() == 1
    assert statuses(sessions)["checkin"] == "sent"


async def test_rest_days_hold_ordinary_messages_not_the_day_of_reminder(
    sessions: SessionFactory,
) -> None:
    vt = VirtualTime(paris(2026, 12, 25, 10))  # Christmas, a Friday
    pid = add_person(sessions, "42")
    plan(sessions, pid, "info", rule="no_show_followup", at=vt.wall())
    plan(sessions, pid, "day-of", rule="reminder_day_of", at=vt.wall(), ignore_quiet_hours=True)
    channel = FakeChannel(clock=vt)
    assert await dispatcher(sessions, channel, vt).drain_once() == 1
    assert statuses(sessions) == {"info": "pending", "day-of": "sent"}
    assert outbox(sessions)[0].not_before == paris(2026, 12, 26, 8, 30)


async def test_expired_and_unconsented_rows_are_skipped(
    sessions: SessionFactory, vt: VirtualTime
) -> None:
    pid = add_person(sessions, "42")
    ghost = add_person(sessions, "43", consent="refused")
    plan(sessions, pid, "old", expires_at=TUESDAY_10 - timedelta(minutes=1))
    plan(sessions, ghost, "refused")
    plan(sessions, None, "nobody")
    channel = FakeChannel(clock=vt)
    assert await dispatcher(sessions, channel, vt).drain_once() == 0
    assert statuses(sessions) == {"old": "skipped", "refused": "skipped", "nobody": "failed"}


async def test_a_claim_left_by_a_dead_dispatcher_is_retaken_after_expiry_and_sent_once(
    sessions: SessionFactory, vt: VirtualTime
) -> None:
    pid = add_person(sessions, "42")
    plan(sessions, pid, "a")
    with sessions() as session:  # a dispatcher claimed it, then was killed
        session.execute(
            update(OutboxMessage).values(
                status="claimed", claimed_by="dead:1:x", claimed_at=TUESDAY_10, attempts=1
            )
        )
        session.commit()
    channel = FakeChannel(clock=vt)
    d = dispatcher(sessions, channel, vt)
    assert await d.drain_once() == 0  # still within the claim timeout
    vt.advance(seconds=61)
    assert await d.drain_once() == 1
    assert await d.drain_once() == 0
    assert channel.refs() == ["42"]
    (row,) = outbox(sessions)
    assert row.status == "sent" and row.attempts == 2 and row.claimed_by == d.worker


async def test_a_broken_channel_does_not_stop_the_dispatcher(
    sessions: SessionFactory, vt: VirtualTime
) -> None:
    pid = add_person(sessions, "42")
    plan(sessions, pid, "a")
    plan(sessions, add_person(sessions, "43"), "b")
    channel = FakeChannel(clock=vt)
    channel.errors["42"].append(DeliveryError("Bad Request: chat not found"))
    assert await dispatcher(sessions, channel, vt).drain_once() == 1
    assert statuses(sessions) == {"a": "failed", "b": "sent"}


async def test_kick_delivers_a_counsellor_reply_at_once(
    sessions: SessionFactory, vt: VirtualTime
) -> None:
    pid = add_person(sessions, "42")
    channel = FakeChannel(clock=vt)
    d = dispatcher(sessions, channel, vt, rules=rules(poll_seconds=60))
    stop = asyncio.Event()
    task = asyncio.create_task(d.run(stop))
    for _ in range(5):
        await asyncio.sleep(0)  # let it go idle (waiting up to 60 s)
    plan(sessions, pid, "relay-1", rule="relay", ignore_quiet_hours=True)
    d.kick()
    await asyncio.wait_for(channel.delivered.wait(), timeout=1.0)
    stop.set()
    await asyncio.wait_for(task, timeout=1.0)
    assert channel.refs() == ["42"]


async def test_relays_go_before_a_queued_broadcast(
    sessions: SessionFactory, vt: VirtualTime
) -> None:
    for i in range(60):
        plan(sessions, add_person(sessions, str(100 + i)), f"k{i}")
    plan(sessions, add_person(sessions, "7"), "relay", rule="relay", at=TUESDAY_10 + timedelta(1))
    vt.advance(days=1)
    channel = FakeChannel(clock=vt)
    await dispatcher(sessions, channel, vt).drain_once()
    assert channel.refs()[0] == "7"


@pytest.mark.postgres
async def test_two_dispatchers_on_postgres_never_send_the_same_row() -> None:
    with temporary_database("programme_dispatch") as url:
        engine, sessions = database(url)
        with sessions() as session:
            for i in range(300):
                person = Person(consent="given")
                session.add_all(
                    [person, ChannelAccount(person=person, channel="telegram", external_ref=str(i))]
                )
            session.flush()
            for person in session.scalars(select(Person)):
                enqueue(
                    session,
                    key=f"k{person.id}",
                    person_id=person.id,
                    rule="weekly_checkin",
                    replies=[Reply(text="hello")],
                    not_before=TUESDAY_10,
                )
            session.commit()
        fast = rules(paid_broadcast=True)
        channels = [FakeChannel(), FakeChannel()]
        workers = [
            Dispatcher(sessions, {"telegram": ch}, fast, clock=lambda: TUESDAY_10, batch=25)
            for ch in channels
        ]

        async def drain(d: Dispatcher) -> None:
            while await d.drain_once() or d.stats["last_claimed"]:
                pass

        await asyncio.gather(*(drain(d) for d in workers))
        for d in workers:
            await d.close()
        first, second = (set(ch.refs()) for ch in channels)
        assert not first & second
        assert len(first) + len(second) == 300
        assert first and second  # both worked
        assert len(channels[0].sent) + len(channels[1].sent) == 300
        assert {row.status for row in outbox(sessions)} == {"sent"}
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SessionFactory]:
    if request.param == "sqlite":
        engine, factory = database(f"sqlite:///{tmp_path / 'b.db'}")
        yield factory
        engine.dispose()
    else:
        with temporary_database("programme_batch") as url:
            engine, factory = database(url)
            yield factory
            engine.dispose()


async def test_a_claim_takes_one_batch_and_the_next_is_claimed_ahead(
    any_db: SessionFactory, vt: VirtualTime
) -> None:
    for i in range(50):
        plan(any_db, add_person(any_db, str(100 + i)), f"k{i}")
    channel = FakeChannel(clock=vt)
    d = dispatcher(any_db, channel, vt, batch=10)
    assert await d.drain_once() == 10
    counts: dict[str, int] = {}
    for status in statuses(any_db).values():
        counts[status] = counts.get(status, 0) + 1
    assert counts == {"sent": 10, "claimed": 10, "pending": 30}
    await d.close()  # shutting down gives the rows claimed ahead back at once
    assert sorted(statuses(any_db).values()).count("pending") == 40
    assert {row.attempts for row in outbox(any_db) if row.status == "pending"} == {0}


async def test_templates_are_rendered_at_send_time_in_the_persons_language(
    sessions: SessionFactory, vt: VirtualTime
) -> None:
    french, english, odd = (add_person(sessions, ref) for ref in ("1", "2", "3"))
    with sessions() as session:
        for person_id, replies in (
            (french, checkin_template("2026-W49", reminder=False, offer_meeting=True)),
            (english, checkin_template("2026-W49", reminder=True, offer_meeting=False)),
            (odd, [{"template": "nothing-like-it", "week": "2026-W49"}]),
        ):
            session.add(
                OutboxMessage(
                    idempotency_key=f"t{person_id}",
                    person_id=person_id,
                    rule="weekly_checkin",
                    replies=replies,
                    not_before=TUESDAY_10,
                )
            )
        session.commit()
    with sessions() as session:  # the language changes after the planning
        person = session.get(Person, english)
        assert person is not None
        person.locale = "en"
        session.commit()
    channel = FakeChannel(clock=vt)
    assert await dispatcher(sessions, channel, vt).drain_once() == 2
    sent = dict(channel.sent)
    (checkin,) = sent["1"]
    assert checkin.text.startswith("Bonjour ! Comment se passe votre semaine")
    assert checkin.buttons[-1][0].payload == "checkin:slots:2026-W49"  # the meeting offer
    (reminder,) = sent["2"]
    assert reminder.text.startswith("A quick reminder: how are you this week?")
    assert reminder.buttons[0][0].payload == "checkin:ok:2026-W49"
    row = next(r for r in outbox(sessions) if r.idempotency_key == f"t{odd}")
    assert row.status == "failed" and "unknown message template" in (row.last_error or "")
