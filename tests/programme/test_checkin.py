"""The weekly check-in end to end: planned, sent, answered; reminders; erasure; idempotency."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from capabilities.assistant.assistant import Assistant
from capabilities.programme.checkin import after_checkin_sent
from capabilities.programme.enrolment import enrol
from capabilities.programme.planning import plan
from capabilities.programme.rules import default_rules
from core.clock import FrozenClock
from scheduler.dispatch import Dispatcher
from store.models import Conversation, HandoffRequest
from store.outbox import OutboxMessage
from store.programme import ContactEvent, CounsellorTask, Participant
from tests.chat import Chat
from tests.scheduler.helpers import FakeChannel, paris

RULES = default_rules()
TUESDAY = paris(2026, 11, 24, 10)  # the clock fixture's time


async def linked(chat: Chat, counsellor: int, clock: FrozenClock) -> int:
    """A participant enrolled in September, first meeting held, linked to this chat."""
    with chat.assistant.sessions() as session:
        invitation = enrol(
            session,
            name="Samia Benali",
            orientation_on=date(2026, 9, 1),
            counsellor_id=counsellor,
            now=clock(),
            username="Emplois20000Bot",
        )
        session.flush()
        p = session.get(Participant, invitation.participant_id)
        assert p is not None
        p.cer_signed_on = date(2026, 9, 8)
        session.add(
            ContactEvent(participant_id=p.id, kind="physical", occurred_at=paris(2026, 9, 8, 10))
        )
        session.commit()
    await chat.say(f"/start {invitation.code}")
    await chat.press("consent:yes")
    return invitation.participant_id


def run_plan(assistant: Assistant, now: datetime) -> tuple[int, int]:
    with assistant.sessions() as session:
        result = plan(session, now, RULES)
        session.commit()
        return result.messages_planned, result.tasks_created


def rows(assistant: Assistant) -> list[OutboxMessage]:
    with assistant.sessions() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def tasks(assistant: Assistant) -> dict[str, CounsellorTask]:
    with assistant.sessions() as session:
        return {t.rule: t for t in session.scalars(select(CounsellorTask))}


async def send_all(assistant: Assistant, clock: FrozenClock) -> FakeChannel:
    channel = FakeChannel(name="local")
    dispatcher = Dispatcher(
        assistant.sessions,
        {"local": channel},
        RULES,
        clock=clock,
        after_send={"weekly_checkin": after_checkin_sent},
        offload=False,
    )
    while await dispatcher.drain_once():
        pass
    await dispatcher.close()
    return channel


async def test_checkin_is_planned_sent_and_answered(
    chat: Chat, counsellor: int, clock: FrozenClock
) -> None:
    pid = await linked(chat, counsellor, clock)
    planned, _ = run_plan(chat.assistant, TUESDAY)
    assert planned == 1
    (row,) = rows(chat.assistant)
    assert row.idempotency_key == f"weekly_checkin:{pid}:2026-W48"
    channel = await send_all(chat.assistant, clock)
    (_, (message,)) = channel.sent[0]
    assert "Comment se passe votre semaine" in message.text
    labels = [b.label for b in message.flat_buttons()]
    assert labels[:4] == [
        "Ça va bien",
        "J'ai des difficultés",
        "J'ai trouvé un emploi ou une formation",
        "Je veux parler à mon conseiller",
    ]
    assert "Choisir un rendez-vous" in labels  # no meeting planned this month
    with chat.assistant.sessions() as session:
        p = session.get(Participant, pid)
        assert p is not None and p.last_checkin_at == TUESDAY
    await chat.press("checkin:ok:2026-W48")
    assert "Merci, c'est noté" in chat.text
    await chat.press("checkin:ok:2026-W48")  # twice: recorded once
    await chat.say("tout va bien, j'ai un entretien jeudi")
    assert "votre conseiller lira votre message" in chat.text
    with chat.assistant.sessions() as session:
        events = session.scalars(select(ContactEvent).where(ContactEvent.kind == "checkin")).all()
    assert [(e.answer, e.period) for e in events] == [("ok", "2026-W48"), ("free_text", "2026-W48")]
    assert events[1].text == "tout va bien, j'ai un entretien jeudi"
    # Answered: no reminder two days later, no alert a week later, nothing planned twice.
    clock.advance(days=2, hours=1)
    assert run_plan(chat.assistant, clock())[0] == 0
    assert "checkin_unanswered" not in tasks(chat.assistant)


async def test_free_text_right_after_the_checkin_is_the_answer(
    chat: Chat, counsellor: int, clock: FrozenClock
) -> None:
    await linked(chat, counsellor, clock)
    run_plan(chat.assistant, TUESDAY)
    await send_all(chat.assistant, clock)
    await chat.say("semaine calme, je continue mes recherches")  # a worry alerts (triage)
    assert "votre conseiller lira votre message" in chat.text
    await chat.say("bus")  # a real question afterwards is answered as usual
    assert "conseiller lira" not in chat.text


async def test_a_question_instead_of_an_answer_is_answered(
    chat: Chat, counsellor: int, clock: FrozenClock
) -> None:
    await linked(chat, counsellor, clock)
    run_plan(chat.assistant, TUESDAY)
    await send_all(chat.assistant, clock)
    await chat.say("je veux un rendez-vous")
    assert "conseiller lira" not in chat.text
    with chat.assistant.sessions() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(ContactEvent).where(ContactEvent.kind == "checkin")
            )
            == 0
        )


async def test_no_answer_gets_one_reminder_then_the_counsellor_is_alerted(
    chat: Chat, counsellor: int, clock: FrozenClock
) -> None:
    pid = await linked(chat, counsellor, clock)
    run_plan(chat.assistant, TUESDAY)
    await send_all(chat.assistant, clock)
    clock.advance(hours=71)
    run_plan(chat.assistant, clock())
    assert len(rows(chat.assistant)) == 1
    clock.advance(hours=1)  # Friday 10:00: 3 days without an answer
    run_plan(chat.assistant, clock())
    run_plan(chat.assistant, clock())  # planning twice is harmless
    reminder = rows(chat.assistant)[-1]
    assert reminder.idempotency_key == f"checkin_reminder:{pid}:2026-W48"
    channel = await send_all(chat.assistant, clock)
    assert "Petit rappel" in channel.sent[0][1][0].text
    assert "no_contact_this_week" in tasks(chat.assistant)  # from Thursday, still no contact
    clock.advance(days=4)  # next Tuesday 10:00: 7 days after the check-in
    run_plan(chat.assistant, clock())
    alert = tasks(chat.assistant)["checkin_unanswered"]
    assert alert.kind == "alert" and alert.counsellor_id == counsellor
    assert [r.rule for r in rows(chat.assistant)] == [
        "weekly_checkin",
        "checkin_reminder",
        "weekly_checkin",
    ]


async def test_difficulties_go_to_the_counsellor_honestly(
    chat: Chat, counsellor: int, clock: FrozenClock
) -> None:
    await linked(chat, counsellor, clock)
    await chat.press("checkin:difficulties:2026-W48")
    assert "J'ai prévenu Claire Martin" in chat.text
    assert "Je ne peux pas vous dire exactement quand" in chat.text
    with chat.assistant.sessions() as session:
        (request,) = session.scalars(select(HandoffRequest)).all()
        assert request.reason == "checkin"
        conversation = session.scalars(select(Conversation)).one()
        assert conversation.handoff == "waiting"
    await chat.say("je n'ai plus de voiture")
    assert "transmis" in chat.text  # relayed to the counsellor, the bot stays quiet


async def test_talk_and_found_and_slots(chat: Chat, counsellor: int, clock: FrozenClock) -> None:
    await linked(chat, counsellor, clock)
    await chat.press("checkin:found:2026-W48")
    assert "Bravo" in chat.text
    assert "situation_change" in tasks(chat.assistant)
    await chat.press("checkin:slots:2026-W48")
    # Claire Martin has no opening period: she proposes a date (one-tap slots are the
    # referent's own, see test_referent_slots.py)
    assert "votre conseiller va vous proposer une date" in chat.text
    assert "meeting_requested" in tasks(chat.assistant)
    await chat.press("checkin:talk:2026-W48")
    assert "J'ai prévenu Claire Martin" in chat.text


async def test_a_person_who_is_not_a_participant_is_told_kindly(chat: Chat) -> None:
    await chat.consent()
    await chat.press("checkin:ok:2026-W48")
    assert "Ce suivi ne concerne plus votre compte" in chat.text


async def test_mesdonnees_and_erasure(chat: Chat, counsellor: int, clock: FrozenClock) -> None:
    pid = await linked(chat, counsellor, clock)
    await chat.press("checkin:ok:2026-W48")
    await chat.say("/mesdonnees")
    assert "votre accompagnement RSA" in chat.text
    assert "1 réponse au suivi de la semaine" in chat.text
    assert "Claire Martin" in chat.text
    await chat.say("/supprimer")
    await chat.press_label("Oui, tout effacer")
    with chat.assistant.sessions() as session:
        p = session.get(Participant, pid)
        assert p is not None and p.person_id is None  # the counsellor's record stays
        kinds = session.scalars(select(ContactEvent.kind)).all()
        assert kinds == ["physical"]  # what the person said is gone, the meeting stays
    run_plan(chat.assistant, paris(2026, 12, 1, 10))
    assert [r.rule for r in rows(chat.assistant)] == []  # nobody to write to any more


async def test_stop_means_no_checkin_is_planned(
    chat: Chat, counsellor: int, clock: FrozenClock
) -> None:
    await linked(chat, counsellor, clock)
    await chat.say("/stop")
    run_plan(chat.assistant, TUESDAY)
    assert rows(chat.assistant) == []
