"""Hole 5: the check-in's one-tap slots book the RSA meeting with the participant's referent."""

from __future__ import annotations

from sqlalchemy import select

from core.clock import FrozenClock
from store.appointments import Booking
from store.programme import CounsellorTask, Participant
from store.staff import Staff
from tests.chat import Chat
from tests.programme.test_checkin import linked


def staff_named(chat: Chat, start: str) -> int:
    with chat.assistant.sessions() as session:
        return session.scalars(select(Staff.id).where(Staff.name.startswith(start))).one()


async def refer_to(chat: Chat, participant_id: int, staff_id: int) -> None:
    with chat.assistant.sessions() as session:
        participant = session.get(Participant, participant_id)
        assert participant is not None
        participant.counsellor_id = staff_id
        session.commit()


async def test_one_tap_slots_are_the_referents_and_book_with_them(
    chat: Chat, counsellor: int, clock: FrozenClock
) -> None:
    pid = await linked(chat, counsellor, clock)
    referent = staff_named(chat, "Conseiller·e 2 Saint-Pol")
    await refer_to(chat, pid, referent)
    await chat.press("checkin:slots:2026-W48")
    picks = [p for p in chat.payloads if p.startswith("appt:pick:rsa:")]
    assert picks and all(":saint_pol:" in p for p in picks)  # sp2 only works at Saint-Pol
    await chat.press(picks[0])
    await chat.press_label("Passer")
    await chat.press_label("Je confirme")
    assert "Je vous enverrai un rappel" in chat.text  # booked (the demo agenda says so too)
    with chat.assistant.sessions() as session:
        booking = session.scalars(select(Booking)).one()
        assert booking.staff_id == referent


async def test_a_referent_outside_the_agenda_proposes_a_date_instead(
    chat: Chat, counsellor: int, clock: FrozenClock
) -> None:
    await linked(chat, counsellor, clock)  # Claire Martin has no opening period
    await chat.press("checkin:slots:2026-W48")
    assert not [p for p in chat.payloads if p.startswith("appt:pick:")]
    assert "votre conseiller va vous proposer une date" in chat.text
    with chat.assistant.sessions() as session:
        assert session.scalars(select(CounsellorTask.rule)).all() == ["meeting_requested"]
