"""While Brevo's events cannot be asked, a row that may have left is asked about less and
less often (1 min, 2, 4… up to 30 min); after 24 h it fails with a plain French reason and
ONE counsellor task. It is never sent blind."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.context import AppContext
from app.sms import SmsParts
from core.clock import FrozenClock
from scheduler.dispatch.keyed import GIVE_UP, SETTLE
from store.programme import CounsellorTask
from tests.fakes.brevo_api import FakeBrevo
from tests.scheduler.helpers import FakeChannel
from tests.sms.test_sms_once import a_relay, row_of
from tests.sms.test_sms_wired import dispatch


async def test_brevo_events_down_backs_off_then_the_row_fails_with_one_task(
    wired: tuple[AppContext, SmsParts], brevo: FakeBrevo, clock: FrozenClock
) -> None:
    context, _parts = wired
    row_id = a_relay(context, clock)
    brevo.lose_next = 1
    local = FakeChannel(name="local")
    await dispatch(context, local)
    brevo.events_down = True
    delays = []
    clock.advance(seconds=SETTLE)
    for _ in range(7):
        await dispatch(context, local)
        row = row_of(context, row_id)
        assert row.status == "pending"
        delay = (row.not_before - clock()).total_seconds()
        delays.append(delay)
        clock.advance(seconds=delay)
    assert delays == [60, 120, 240, 480, 960, 1800, 1800]
    asked = len(brevo.event_queries)
    started = row_of(context, row_id).send_started_at
    assert started is not None
    clock.advance_to(started + timedelta(seconds=GIVE_UP))
    await dispatch(context, local)
    assert len(brevo.event_queries) == asked + 1
    row = row_of(context, row_id)
    assert row.status == "failed" and "Brevo" in (row.last_error or "")
    assert len(brevo.sent) == 1  # never sent blind
    clock.advance(hours=1)
    await dispatch(context, local)  # nothing more: no second task, no send
    with context.sessions() as session:
        (task,) = session.scalars(
            select(CounsellorTask).where(CounsellorTask.rule == "sms_unconfirmed")
        ).all()
        assert task.kind == "alert" and "SMS" in task.reason
    assert len(brevo.sent) == 1
