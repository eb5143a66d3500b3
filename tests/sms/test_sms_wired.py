"""SMS end to end: enrolment by phone, the week's check-in and the 3-day reminder by SMS
(fake Brevo on 127.0.0.1), answers through Brevo's webhook, provider errors, delivery reports."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.build import build_context
from app.context import AppContext
from app.sms import SmsParts
from capabilities.programme.checkin import after_checkin_sent
from capabilities.programme.enrolment import Enrolled, EnrolmentError, enrol, enrol_by_sms
from capabilities.programme.planning import plan
from capabilities.programme.rules import default_rules
from core.clock import FrozenClock
from core.settings import load_settings
from scheduler.dispatch import Dispatcher
from sms.segments import segments
from store.db import Session
from store.models import ChannelAccount, HandoffRequest
from store.outbox import OutboxMessage
from store.programme import ContactEvent, CounsellorTask, Participant
from store.sms import SmsDelivery, SmsEvent
from store.staff import Staff
from tests.chat import Chat, FakeNlu
from tests.fakes.brevo_api import API_KEY, FakeBrevo, sms_event
from tests.scheduler.helpers import FakeChannel, paris

RULES = default_rules()
SECRET = "brevo-hook-secret-0123456789"
PHONE = "+33612345678"


def a_counsellor(context: AppContext) -> int:
    with context.sessions() as session:
        staff = Staff(name="Claire Martin", role="counsellor")
        session.add(staff)
        session.commit()
        return staff.id


def sms_participant(
    session: Session,
    counsellor: int,
    now: datetime,
    *,
    name: str = "Karim Haddad",
    phone: str = PHONE,
) -> int:
    """A participant oriented on 1 September, followed by SMS: their participant id."""
    return enrol_by_sms(
        session,
        name=name,
        phone=phone,
        orientation_on=date(2026, 9, 1),
        counsellor_id=counsellor,
        now=now,
    )


def one_sms_participant(context: AppContext, now: datetime) -> int:
    """Karim, followed by SMS by a new counsellor, committed: his participant id."""
    counsellor = a_counsellor(context)
    with context.sessions() as session:
        pid = sms_participant(session, counsellor, now)
        session.commit()
    return pid


def telegram_participant(session: Session, counsellor: int, now: datetime) -> Enrolled:
    """Samia, oriented on 1 September, invited by Telegram."""
    return enrol(
        session,
        name="Samia Benali",
        orientation_on=date(2026, 9, 1),
        counsellor_id=counsellor,
        now=now,
        username="Emplois20000Bot",
    )


def settled(context: AppContext, participant_id: int) -> None:
    """First meeting held and contract signed: only the weekly contact is due."""
    with context.sessions() as session:
        p = session.get(Participant, participant_id)
        assert p is not None
        p.cer_signed_on = date(2026, 9, 8)
        session.add(
            ContactEvent(participant_id=p.id, kind="physical", occurred_at=paris(2026, 9, 8, 10))
        )
        session.commit()


def run_plan(context: AppContext) -> None:
    with context.sessions() as session:
        plan(session, context.clock(), RULES)
        session.commit()


async def dispatch(context: AppContext, local: FakeChannel) -> None:
    channels = {"local": local, "sms": context.channels["sms"]}
    dispatcher = Dispatcher(
        context.sessions,
        channels,
        RULES,
        clock=context.clock,
        after_send={"weekly_checkin": after_checkin_sent},
        offload=False,
    )
    while await dispatcher.drain_once():
        pass
    await dispatcher.close()


async def post(parts: SmsParts, body: Any, *, path: str = f"/sms/brevo/{SECRET}") -> int:
    async def nothing(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the console must not see Brevo's calls")

    transport = httpx.ASGITransport(app=parts.webhook.mount(nothing))
    async with httpx.AsyncClient(transport=transport, base_url="http://console") as client:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        answer = await client.post(path, content=data)
    await parts.inbound.drain()
    return answer.status_code


def checkins(context: AppContext) -> dict[int, list[str]]:
    with context.sessions() as session:
        events = session.scalars(select(ContactEvent).where(ContactEvent.kind == "checkin"))
        out: dict[int, list[str]] = {}
        for e in events:
            out.setdefault(e.participant_id, []).append(f"{e.answer}:{e.period}")
        return out


def rules_sent(context: AppContext) -> list[tuple[str, str]]:
    with context.sessions() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(r.rule, r.status) for r in rows]


async def test_telegram_and_sms_participants_get_the_checkin_and_one_reminder_after_3_days(
    wired: tuple[AppContext, SmsParts],
    brevo: FakeBrevo,
    clock: FrozenClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    context, parts = wired
    counsellor = a_counsellor(context)
    chat = Chat(context.assistant)
    with context.sessions() as session:
        invited = telegram_participant(session, counsellor, clock())
        by_sms = sms_participant(session, counsellor, clock())
        session.commit()
    settled(context, invited.participant_id)
    settled(context, by_sms)
    await chat.say(f"/start {invited.code}")
    await chat.press("consent:yes")

    # Tuesday 10:00: the week's check-in, by chat and by SMS (numbered answers, ≤ 2 segments).
    local = FakeChannel(name="local")
    run_plan(context)
    await dispatch(context, local)
    assert "Comment se passe votre semaine" in local.sent[0][1][0].text
    (checkin,) = brevo.sent
    assert checkin["recipient"] == PHONE[1:]
    assert "Comment se passe votre semaine" in checkin["content"]
    assert "\n1 Ça va bien" in checkin["content"] and segments(checkin["content"]) <= 2

    # Nobody answers: nothing after 71 h, exactly one reminder each at 72 h (planned twice).
    clock.advance(hours=71)
    run_plan(context)
    await dispatch(context, local)
    assert len(brevo.sent) == 1 and len(local.sent) == 1
    clock.advance(hours=1)
    run_plan(context)
    run_plan(context)
    await dispatch(context, local)
    assert len(local.sent) == 2 and "Petit rappel" in local.sent[1][1][0].text
    assert len(brevo.sent) == 2 and "Petit rappel" in brevo.sent[1]["content"]
    assert segments(brevo.sent[1]["content"]) <= 2
    assert sorted(rules_sent(context)).count(("checkin_reminder", "sent")) == 2

    # Both answer: the Telegram one with a button, the SMS one with "1" (Brevo's webhook,
    # delivered twice: processed once).
    await chat.press("checkin:ok:2026-W48")
    with context.sessions() as session:
        message_id = session.scalars(select(SmsDelivery.message_id)).all()[-1]
    parts.channel._choices.clear()  # a restart: the answers are read from the database
    reply = sms_event("replied", message_id, reply=" 1 ")
    assert await post(parts, reply) == 200
    assert await post(parts, reply) == 200
    assert parts.webhook.duplicates == 1
    answers = checkins(context)
    assert answers == {invited.participant_id: ["ok:2026-W48"], by_sms: ["ok:2026-W48"]}
    assert "Merci, c'est noté" in brevo.sent[-1]["content"] and len(brevo.sent) == 3

    # The answers count for the cadence: a week later, no "unanswered" alert for either.
    clock.advance(days=4)
    run_plan(context)
    with context.sessions() as session:
        alerts = session.scalars(
            select(CounsellorTask).where(CounsellorTask.rule == "checkin_unanswered")
        ).all()
        assert alerts == []
        # The inbox forgot the number and the text once processed.
        assert all(e.payload is None for e in session.scalars(select(SmsEvent)))
    assert "612345678" not in caplog.text  # the number is never logged


async def test_a_free_text_sms_reaches_the_counsellor_and_stop_stops(
    wired: tuple[AppContext, SmsParts], brevo: FakeBrevo, clock: FrozenClock
) -> None:
    context, parts = wired
    counsellor = a_counsellor(context)
    with context.sessions() as session:
        pid = sms_participant(session, counsellor, clock())
        session.commit()
    settled(context, pid)
    run_plan(context)
    await dispatch(context, FakeChannel(name="local"))
    event = sms_event("replied", 1, reply="je suis malade cette semaine", ts_event=1)
    assert await post(parts, event) == 200
    assert checkins(context)[pid] == ["free_text:2026-W48"]
    # The triage hands it to the counsellor, as for a Telegram message; the answer is an SMS.
    assert "J'ai prévenu Claire Martin" in brevo.sent[-1]["content"]
    assert segments(brevo.sent[-1]["content"]) <= 2
    with context.sessions() as session:
        assert session.scalars(select(HandoffRequest)).one().status == "open"
    # The counsellor answers from the console (the same call as its reply form): by SMS.
    from capabilities.handoff.state import counsellor_reply
    from store.models import Conversation

    with context.sessions() as session:
        conversation = session.scalars(select(Conversation)).one()
        counsellor_reply(
            session,
            conversation,
            "Bonjour Karim, reposez-vous. Je vous appelle jeudi. Claire",
            at=clock(),
            by=f"staff:{counsellor}",
            channel="console",
        )
        session.commit()
    await dispatch(context, FakeChannel(name="local"))
    assert brevo.sent[-1]["content"] == "Bonjour Karim, reposez-vous. Je vous appelle jeudi. Claire"
    assert await post(parts, sms_event("replied", 2, reply="STOP", ts_event=2)) == 200
    with context.sessions() as session:
        account = session.scalars(select(ChannelAccount)).one()
        assert account.person.proactive_opt_out


async def test_the_webhook_is_authenticated_and_checks_its_input(
    wired: tuple[AppContext, SmsParts],
) -> None:
    _context, parts = wired
    event = sms_event("delivered", 5)
    assert await post(parts, event, path="/sms/brevo/wrong-secret-0123456789") == 401
    assert await post(parts, event, path="/sms/brevo") == 401
    assert await post(parts, b"not json") == 400
    assert await post(parts, {"hello": "world"}) == 400
    assert await post(parts, b"{" + b" " * 1_000_001 + b"}") == 400
    assert parts.webhook.received == 0


async def test_delivery_reports_update_the_state(
    wired: tuple[AppContext, SmsParts], brevo: FakeBrevo, clock: FrozenClock
) -> None:
    context, parts = wired
    one_sms_participant(context, clock())
    await context.channels["sms"].send(PHONE, [])  # nothing to say: nothing sent
    from core.messages import Reply

    await context.channels["sms"].send(PHONE, [Reply(text="Bonjour")])
    await context.channels["sms"].send(PHONE, [Reply(text="Au revoir")])
    with context.sessions() as session:
        first, second = session.scalars(
            select(SmsDelivery.message_id).order_by(SmsDelivery.message_id)
        ).all()
    assert await post(parts, sms_event("delivered", first)) == 200
    bounce = sms_event("hard_bounce", second, description="Numéro inexistant")
    assert await post(parts, bounce) == 200
    with context.sessions() as session:
        states = {
            d.message_id: (d.state, d.reason, d.segments)
            for d in session.scalars(select(SmsDelivery))
        }
    assert states == {first: ("sent", None, 1), second: ("failed", "Numéro inexistant", 1)}


async def test_an_invalid_number_marks_the_participant_and_no_credit_pauses_sms_only(
    wired: tuple[AppContext, SmsParts], brevo: FakeBrevo, clock: FrozenClock
) -> None:
    context, _parts = wired
    counsellor = a_counsellor(context)
    chat = Chat(context.assistant)
    with context.sessions() as session:
        invited = telegram_participant(session, counsellor, clock())
        first = sms_participant(session, counsellor, clock())
        second = sms_participant(
            session, counsellor, clock(), name="Nadia Roussel", phone="+33781234567"
        )
        session.commit()
    for pid in (invited.participant_id, first, second):
        settled(context, pid)
    await chat.say(f"/start {invited.code}")
    await chat.press("consent:yes")
    run_plan(context)
    brevo.fail_next.append((400, {"code": "invalid_parameter", "message": "Invalid number"}, {}))
    brevo.fail_next.append((402, {"code": "not_enough_credits", "message": "No credits"}, {}))
    local = FakeChannel(name="local")
    await dispatch(context, local)
    assert len(local.sent) == 1  # Telegram/chat goes on
    assert brevo.sent == []
    with context.sessions() as session:
        rows = {
            r.person_id: (r.status, r.last_error) for r in session.scalars(select(OutboxMessage))
        }
        statuses = sorted(status for status, _error in rows.values())
        assert statuses == ["failed", "pending", "sent"]
        task = session.scalars(
            select(CounsellorTask).where(CounsellorTask.rule == "participant_unreachable")
        ).one()
        assert "SMS" in task.reason and "portable" in task.reason
        unreachable = session.scalars(
            select(ChannelAccount).where(ChannelAccount.unreachable_at.is_not(None))
        ).all()
        assert [a.channel for a in unreachable] == ["sms"]
    assert context.channels["sms"].paused  # type: ignore[attr-defined]


def test_the_same_number_cannot_be_enrolled_twice(context: AppContext, clock: FrozenClock) -> None:
    counsellor = a_counsellor(context)
    with context.sessions() as session:
        sms_participant(session, counsellor, clock())
        with pytest.raises(EnrolmentError, match="déjà inscrit"):
            sms_participant(session, counsellor, clock(), name="Karim H.")


async def test_mesdonnees_lists_the_number_and_supprimer_erases_it(
    wired: tuple[AppContext, SmsParts], brevo: FakeBrevo, clock: FrozenClock
) -> None:
    context, parts = wired
    pid = one_sms_participant(context, clock())
    assert await post(parts, sms_event("replied", 1, reply="/mesdonnees", ts_event=1)) == 200
    listed = brevo.sent[-1]["content"]
    assert "numéro de portable pour les SMS" in listed and "78" in listed
    assert "612345678" not in listed  # masked even to the person
    assert await post(parts, sms_event("replied", 2, reply="/supprimer", ts_event=2)) == 200
    question = brevo.sent[-1]["content"]
    digit = next(line.split(" ", 1)[0] for line in question.splitlines() if "tout effacer" in line)
    assert await post(parts, sms_event("replied", 3, reply=digit, ts_event=3)) == 200
    with context.sessions() as session:
        assert session.scalars(select(ChannelAccount)).all() == []
        # What is left of the SMS counts for the week's cost, tied to nobody.
        assert {d.person_id for d in session.scalars(select(SmsDelivery))} == {None}
        participant = session.get(Participant, pid)
        assert participant is not None and participant.person_id is None


async def test_readyz_shows_the_sms_channel_paused_without_credits(
    wired: tuple[AppContext, SmsParts],
) -> None:
    from starlette.applications import Starlette

    from app.ops import context_routes

    context, parts = wired

    async def readyz() -> dict[str, Any]:
        app = Starlette(routes=context_routes(context))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return dict((await client.get("/readyz")).json())

    from datetime import timedelta

    from store import channel_pauses

    assert (await readyz())["checks"]["sms"]["status"] == "ok"
    with context.sessions() as session, session.begin():  # stored by any replica's dispatcher
        now = context.clock()
        channel_pauses.pause(session, "sms", now + timedelta(minutes=1), "Brevo 402", now)
    sms = (await readyz())["checks"]["sms"]
    assert sms["status"] == "degraded" and "no SMS credits" in sms["detail"]
    with context.sessions() as session, session.begin():  # ended early from the console
        channel_pauses.end_early(session, "sms", context.clock())
    parts.channel.paused_until = parts.channel.monotonic() + 60  # this process got the 402
    assert (await readyz())["checks"]["sms"]["status"] == "ok"


async def test_processed_events_are_purged_by_the_retention(
    wired: tuple[AppContext, SmsParts], clock: FrozenClock
) -> None:
    from datetime import timedelta

    from store import sms as sms_store

    context, parts = wired
    assert await post(parts, sms_event("delivered", 9)) == 200
    with context.sessions() as session, session.begin():
        assert sms_store.purge_done(session, clock() - timedelta(days=3)) == 0
        assert sms_store.purge_done(session, clock() + timedelta(seconds=1)) == 1
    # Purged: a late re-delivery is recorded again, and processed harmlessly.
    assert await post(parts, sms_event("delivered", 9)) == 200


async def test_meeting_reminders_go_by_sms_within_two_segments(
    wired: tuple[AppContext, SmsParts], brevo: FakeBrevo, clock: FrozenClock
) -> None:
    from capabilities.appointments.booking import book
    from capabilities.appointments.config import load_config
    from capabilities.appointments.reminders import enqueue_due_reminders

    context, parts = wired
    counsellor = a_counsellor(context)
    with context.sessions() as session:
        pid = sms_participant(session, counsellor, clock())
        person_id = session.get(Participant, pid).person_id  # type: ignore[union-attr]
        assert person_id is not None
        booking = book(
            session,
            person_id=person_id,
            espace_id="saint_pol",
            motif_id="rsa",
            start=paris(2026, 12, 3, 9),  # Thursday: reminders Tuesday and Thursday morning
            now=clock(),
            rules=load_config().rules,
        )
        session.commit()
    local = FakeChannel(name="local")
    texts = []
    for moment in (paris(2026, 12, 1, 10), paris(2026, 12, 3, 8, 30)):
        clock.now = moment
        with context.sessions() as session:
            enqueue_due_reminders(session, clock())
            session.commit()
        await dispatch(context, local)
        texts.append(brevo.sent[-1]["content"])
    assert texts[0].startswith("Rappel :") and texts[1].startswith("C'est aujourd'hui")
    for text in texts:
        assert segments(text) <= 2, text
        assert "\n1 Je viens\n2 Je ne peux pas\nRépondez par le chiffre." in text
    assert local.sent == [] and len(brevo.sent) == 2
    clock.advance(minutes=5)
    assert await post(parts, sms_event("replied", 1, reply="1", ts_event=5)) == 200
    assert len(brevo.sent) == 3  # the answer to "Je viens", by SMS
    from store.appointments import Booking

    with context.sessions() as session:
        confirmed = session.get(Booking, booking.id)
        assert confirmed is not None and confirmed.confirmed_at is not None


async def test_python_m_bot_serves_sms_without_telegram(tmp_path: Any, brevo: FakeBrevo) -> None:
    """``serve_context`` (``python -m bot``) with SMS only: an outbox row goes out by SMS and
    Brevo's webhook answers on the console's port."""
    import asyncio
    import contextlib
    from datetime import UTC, datetime

    from app.serve import serve_context
    from core.messages import Reply
    from store.outbox import enqueue
    from tests.bot.test_serve import free_port

    port = free_port()
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'serve.db'}",
        telegram_bot_token=None,
        console_port=port,
        console_secret_key="test-secret-key-for-serve",
        sms_provider="brevo",
        brevo_api_key=API_KEY,
        sms_webhook_secret=SECRET,
        brevo_base_url=brevo.base_url,
    )
    context = build_context(settings, parse=FakeNlu().parse)
    stop = asyncio.Event()
    task = asyncio.create_task(serve_context(context, stop))
    try:
        with context.sessions() as session:
            staff = Staff(name="Claire Martin", role="counsellor")
            session.add(staff)
            session.flush()
            pid = sms_participant(session, staff.id, datetime.now(UTC))
            enqueue(
                session,
                key="test:serve:sms",
                person_id=session.get(Participant, pid).person_id,  # type: ignore[union-attr]
                rule="relay",
                replies=[Reply(text="Message de votre conseillère")],
                not_before=datetime.now(UTC),
                ignore_quiet_hours=True,
            )
            session.commit()
        context.wakeup.kick()
        async with httpx.AsyncClient() as client:
            for _ in range(100):
                with contextlib.suppress(httpx.TransportError):
                    wrong = await client.post(f"http://127.0.0.1:{port}/sms/brevo/nope", json={})
                    break
                await asyncio.sleep(0.1)
            assert wrong.status_code == 401
            for _ in range(100):
                if brevo.sent:
                    break
                await asyncio.sleep(0.1)
            assert brevo.sent[0]["content"] == "Message de votre conseillère"
            event = sms_event("delivered", 1511882900176220)
            ok = await client.post(f"http://127.0.0.1:{port}/sms/brevo/{SECRET}", json=event)
            assert ok.status_code == 200
            for _ in range(50):
                with context.sessions() as session:
                    if session.scalars(select(SmsDelivery.state)).one() == "sent":
                        break
                await asyncio.sleep(0.1)
            with context.sessions() as session:
                assert session.scalars(select(SmsDelivery.state)).one() == "sent"
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        await context.aclose()


async def test_a_brevo_server_error_is_retried_with_backoff_and_sent_once(
    wired: tuple[AppContext, SmsParts], brevo: FakeBrevo, clock: FrozenClock
) -> None:
    context, _parts = wired
    pid = one_sms_participant(context, clock())
    settled(context, pid)
    run_plan(context)
    brevo.fail_next.append((500, {"code": "internal", "message": "oops"}, {}))
    local = FakeChannel(name="local")
    await dispatch(context, local)
    with context.sessions() as session:
        row = session.scalars(select(OutboxMessage)).one()
        assert (row.status, row.last_error, row.attempts) == ("pending", "Brevo 500", 1)
        assert row.not_before is not None and row.not_before > clock()
    await dispatch(context, local)  # before the backoff: nothing
    assert brevo.sent == []
    clock.advance(seconds=RULES.dispatch.backoff_max_seconds)
    await dispatch(context, local)
    await dispatch(context, local)
    assert len(brevo.sent) == 1 and "Comment se passe votre semaine" in brevo.sent[0]["content"]
