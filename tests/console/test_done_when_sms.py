"""Issue 13's "done when" for SMS: a counsellor enrols one participant by Telegram and one by
SMS in the console; both get the week's check-in and, 3 days later, one reminder on their
channel (the fake Telegram Bot API and the fake Brevo on 127.0.0.1); both answers count for
the cadence."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import httpx
import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from app.context import AppContext
from app.sms import wire_sms
from bot.telegram_channel import TelegramChannel
from capabilities.assistant.assistant import Assistant
from capabilities.programme.checkin import after_checkin_sent
from capabilities.programme.planning import plan
from capabilities.programme.rules import default_rules
from console.live_integrations import LiveIntegrations
from core.clock import FrozenClock
from core.settings import Settings
from scheduler.dispatch import Dispatcher
from store.programme import ContactEvent, CounsellorTask, Participant
from store.sms import SmsDelivery
from tests.console.conftest import post, sign_in
from tests.fakes.brevo_api import FakeBrevo, sms_event
from tests.fakes.brevo_settings import SECRET, brevo_settings
from tests.fakes.telegram_harness import telegram_bot
from tests.scheduler.helpers import paris

RULES = default_rules()
CHAT = 412345678


@pytest.fixture
def settings(database_url: str, brevo: FakeBrevo) -> Settings:  # the root fixture, with SMS
    return brevo_settings(database_url, brevo.base_url, telegram_bot_username="Emplois20000Bot")


@pytest.fixture
def integrations(clock: FrozenClock) -> LiveIntegrations:  # replaces the fake of conftest
    return LiveIntegrations(clock=clock, username="Emplois20000Bot")


def settle_everyone(assistant: Assistant) -> None:
    """Orientation in September, first meeting held, contract signed."""
    with assistant.sessions() as session:
        for p in session.scalars(select(Participant)):
            p.orientation_on = date(2026, 9, 1)
            p.cer_signed_on = date(2026, 9, 8)
            session.add(
                ContactEvent(participant_id=p.id, kind="physical", occurred_at=paris(2026, 9, 8))
            )
        session.commit()


async def test_a_counsellor_enrols_by_telegram_and_by_sms_and_both_are_followed(
    context: AppContext,
    assistant: Assistant,
    client: TestClient,
    add_staff: Callable[..., int],
    brevo: FakeBrevo,
    clock: FrozenClock,
    database_url: str,
) -> None:
    parts = wire_sms(context)
    assert parts is not None
    await context.start()

    claire = add_staff("Claire Martin", "claire@example.org")
    assert sign_in(client, "claire@example.org") == 303
    oriented = {"orientation_on": "2026-11-20", "referent": str(claire)}
    telegram = {"label": "Samia Benali", "channel": "telegram", **oriented}
    assert post(client, "/caseload/enrol", telegram, page="/caseload") == 303
    page = client.get("/caseload").text
    link = page.split('Lien à transmettre : <a href="')[1].split('"')[0]
    code = link.split("start=")[1]
    by_sms = {"label": "Karim Haddad", "channel": "sms", "phone": "06 12 34 56 78", **oriented}
    assert post(client, "/caseload/enrol", by_sms, page="/caseload") == 303
    assert "partira par SMS" in client.get("/caseload").text
    settle_everyone(assistant)

    overrides = {"database_url": database_url}
    async with telegram_bot(assistant, settings_overrides=overrides) as (fake, app):
        fake.push_command(CHAT, f"/start {code}")
        await fake.wait_for_text(CHAT, "Vie privée")
        fake.push_callback(CHAT, "consent:yes")
        await fake.wait_for_text(CHAT, "votre compte est relié")

        channels = {"telegram": TelegramChannel(app.bot), "sms": context.channels["sms"]}

        async def plan_and_send() -> None:
            with assistant.sessions() as session:
                plan(session, clock(), RULES)
                session.commit()
            dispatcher = Dispatcher(
                assistant.sessions,
                channels,
                RULES,
                clock=clock,
                after_send={"weekly_checkin": after_checkin_sent},
            )
            while await dispatcher.drain_once():
                pass
            await dispatcher.close()

        # Tuesday 24 November 10:00: the week's check-in on each channel.
        await plan_and_send()
        await fake.wait_for_text(CHAT, "Comment se passe votre semaine")
        assert len(brevo.sent) == 1 and "Comment se passe votre semaine" in brevo.sent[0]["content"]
        assert brevo.sent[0]["recipient"] == "33612345678"

        # Friday 10:00, 3 days without an answer: one reminder each (planning twice).
        clock.advance(hours=72)
        await plan_and_send()
        await plan_and_send()
        await fake.wait_for_text(CHAT, "Petit rappel")
        reminders = [t for t in fake.sent_texts(CHAT) if "Petit rappel" in t]
        assert len(reminders) == 1
        assert len(brevo.sent) == 2 and "Petit rappel" in brevo.sent[1]["content"]

        # Both answer: a button on Telegram, "1" by SMS (Brevo's webhook).
        fake.push_callback(CHAT, "checkin:ok:2026-W48")
        await fake.wait_for_text(CHAT, "Merci, c'est noté")
        with assistant.sessions() as session:
            message_id = max(session.scalars(select(SmsDelivery.message_id)))
        event = json.dumps(sms_event("replied", message_id, reply="1")).encode()

        async def nothing(scope: object, receive: object, send: object) -> None:
            raise AssertionError("not the console")

        transport = httpx.ASGITransport(app=parts.webhook.mount(nothing))  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://x") as web:
            answer = await web.post(f"/sms/brevo/{SECRET}", content=event)
        assert answer.status_code == 200
        await parts.inbound.drain()
        assert "Merci, c'est noté" in brevo.sent[-1]["content"]

    with assistant.sessions() as session:
        answers = sorted(
            (e.participant_id, e.answer, e.period)
            for e in session.scalars(select(ContactEvent).where(ContactEvent.kind == "checkin"))
        )
        assert [a[1:] for a in answers] == [("ok", "2026-W48"), ("ok", "2026-W48")]
        assert len({a[0] for a in answers}) == 2
    # They count for the cadence: a week after the check-in, no "unanswered" alert.
    clock.advance(days=4)
    with assistant.sessions() as session:
        plan(session, clock(), RULES)
        session.commit()
        rules = {t.rule for t in session.scalars(select(CounsellorTask))}
    assert "checkin_unanswered" not in rules
