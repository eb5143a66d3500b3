"""Booking inside the chat, as a person lives it (real config, clock: Tue 24 Nov 10:00)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from capabilities.appointments.reminders import after_reminder_sent
from capabilities.assistant.assistant import Assistant
from capabilities.programme.rules import default_rules
from core.clock import FrozenClock
from scheduler.dispatch import Dispatcher
from scheduler.jobs import AFTER_SEND
from store.appointments import Booking, Espace
from store.outbox import OutboxMessage
from tests.chat import Chat, FakeNlu
from tests.scheduler.helpers import FakeChannel

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # the chat fixture's clock


def entity(name: str, value: str) -> dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": len(value)}


@pytest.fixture
def nlu(fake_nlu: FakeNlu) -> FakeNlu:
    """Scripted answers for the appointment sentences (added to the shared table)."""
    fake_nlu.table.update(
        {
            "mes rendez-vous": ("my_appointments", 0.95, []),
            "annuler mon rendez-vous": ("cancel_appointment", 0.95, []),
            "deplacer mon rendez-vous": ("reschedule_appointment", 0.95, []),
            "rdv mardi prochain à la gare vers 14h": (
                "book_appointment",
                0.93,
                [entity("date", "mardi prochain"), entity("espace", "gare"), entity("time", "14h")],
            ),
            "un rendez-vous le 31 février": (
                "book_appointment",
                0.9,
                [entity("date", "31 février")],
            ),
        }
    )
    return fake_nlu


@pytest.fixture
async def person(chat: Chat, nlu: FakeNlu) -> Chat:
    await chat.consent()
    return chat


def bookings(assistant: Assistant) -> list[Booking]:
    with assistant.sessions() as session:
        return list(session.scalars(select(Booking).order_by(Booking.id)))


def outbox(assistant: Assistant) -> list[OutboxMessage]:
    with assistant.sessions() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def skip_name_and_phone(chat: Chat) -> None:
    """The optional questions after the time: « Passer », then « Non merci » (no number is
    asked for an example agenda: nobody would call)."""
    assert "Quel est votre prénom ?" in chat.text
    await chat.press_label("Passer")
    if "pour que l'Espace puisse vous appeler" in chat.text:
        await chat.press_label("Non merci")


async def book_info_tuesday_14h(chat: Chat) -> None:
    await chat.say("je veux un rendez-vous")
    assert "Pour quoi" in chat.text
    await chat.press_label("Information sur les métiers")
    assert "Dans quel Espace" in chat.text
    await chat.press_label("Saint-Pol")
    assert "Quel jour" in chat.text
    await chat.press_label("mardi 24 novembre")
    assert "14 h 00" in [b.label for b in chat.buttons]
    assert "10 h 00" not in [b.label for b in chat.buttons]  # less than 2 h from now
    await chat.press_label("14 h 00")
    await skip_name_and_phone(chat)
    assert "Je récapitule" in chat.text
    await chat.press_label("Je confirme")


async def test_book_from_words_to_confirmation_with_ics_and_what_to_bring(person: Chat) -> None:
    await book_info_tuesday_14h(person)
    text = person.text
    assert "pour la démonstration" in text  # the shipped hours are examples
    assert "mardi 24 novembre à 14 h 00" in text
    assert "Je n'ai pas encore l'adresse exacte" in text and "Saint-Pol-sur-Mer" in text
    assert "À apporter" in text
    assert not any(r.venue for r in person.last)  # no coordinates configured: no map
    (document,) = [r.document for r in person.last if r.document]
    assert document.filename.endswith(".ics") and document.mime_type == "text/calendar"
    assert b"DTSTART:20261124T130000Z" in document.content
    (booking,) = bookings(person.assistant)
    assert booking.status == "booked" and booking.staff_id is not None
    assert outbox(person.assistant) == []  # booked this morning: the confirmation is enough


async def test_a_venue_is_sent_when_coordinates_are_configured(person: Chat) -> None:
    with person.assistant.sessions() as session:  # as an admin fills them in the console
        espace = session.get(Espace, "saint_pol")
        assert espace is not None and espace.address is None  # unknown in the shipped file
        espace.address = "1 rue de l'Exemple, 59430 Saint-Pol-sur-Mer"
        espace.latitude, espace.longitude = 51.03, 2.35
        session.commit()
    await book_info_tuesday_14h(person)
    assert "Adresse : 1 rue de l'Exemple" in person.text
    (venue,) = [r.venue for r in person.last if r.venue]
    assert venue.latitude == 51.03


async def test_free_text_prefills_and_asks_only_the_rest(person: Chat) -> None:
    await person.say("rdv mardi prochain à la gare vers 14h")
    assert "Pour quoi" in person.text  # only the motif is missing
    await person.press_label("Information sur les métiers")
    await skip_name_and_phone(person)
    assert "Je récapitule" in person.text
    assert "mardi 1er décembre à 14 h 00" in person.text.lower()
    assert "gare" in person.text


async def test_impossible_past_and_closed_days_get_a_clear_answer(person: Chat) -> None:
    await person.say("un rendez-vous le 31 février")
    await person.press_label("Information sur les métiers")
    await person.press_label("Saint-Pol")
    assert "31 février n'existe pas" in person.text
    await person.say("hier")
    assert "déjà passé" in person.text
    await person.say("le 25 décembre")
    assert "jour férié" in person.text
    await person.say("samedi")
    assert "ne reçoit pas de rendez-vous le samedi 28 novembre" in person.text
    await person.say("jeudi à 19h")
    assert "pas de créneau libre à 19 h 00" in person.text
    assert bookings(person.assistant) == []


async def test_pressing_book_twice_and_old_keyboards_change_nothing(person: Chat) -> None:
    await person.say("je veux un rendez-vous")
    await person.press_label("Information sur les métiers")
    await person.press_label("Saint-Pol")
    old_days = list(person.payloads)
    await person.press_label("mardi 24 novembre")
    await person.press_label("14 h 00")
    await skip_name_and_phone(person)
    confirm = next(p for p in person.payloads if p.startswith("appt:ok"))
    await person.press(confirm)
    assert "pour la démonstration" in person.text
    await person.press(confirm)
    assert "n'est plus valable" in person.text
    await person.press(old_days[0])
    assert "n'est plus valable" in person.text
    assert len(bookings(person.assistant)) == 1


async def test_forged_callbacks_for_someone_elses_booking_change_nothing(
    person: Chat, assistant: Assistant
) -> None:
    await book_info_tuesday_14h(person)
    (booking,) = bookings(assistant)
    other = Chat(assistant, user="u2", display_name="Paul")
    await other.consent()
    for payload in (
        f"appt:cx:{booking.id}",
        f"appt:mv:{booking.id}",
        f"appt:no:{booking.id}",
        f"appt:yes:{booking.id}",
        f"appt:cxok:{booking.id}",
        "appt:cx:abc",
        "appt:pick:nope:gare:202611261300",
        "appt:t:99999999",
    ):
        await other.press(payload)
        assert "Traceback" not in other.text
        assert "réservé" not in other.text
    (after,) = bookings(assistant)
    assert after.status == "booked" and after.confirmed_at is None


async def test_my_appointments_move_keeps_the_old_slot_until_confirmed(person: Chat) -> None:
    await book_info_tuesday_14h(person)
    await person.say("mes rendez-vous")
    assert "mardi 24 novembre à 14 h 00" in person.text
    await person.press_label("Déplacer")
    assert "reste réservé" in person.text
    await person.press_label("mercredi 25 novembre")
    await person.press_label("9 h 30")
    (old,) = bookings(person.assistant)
    assert old.status == "booked"  # not yet confirmed: the old slot is kept
    await person.press_label("Je confirme")
    assert "C'est déplacé" in person.text
    old, new = bookings(person.assistant)
    assert old.status == "moved" and old.moved_to_id == new.id and new.status == "booked"
    statuses = {m.idempotency_key: m.status for m in outbox(person.assistant)}
    assert statuses == {f"reminderday:{new.id}": "pending"}
    await person.say("deplacer mon rendez-vous")
    await person.press_label("jeudi 26 novembre")
    await person.press_label("9 h 00")
    await person.press_label("Je confirme")
    statuses = {m.idempotency_key: m.status for m in outbox(person.assistant)}
    assert statuses[f"reminderday:{new.id}"] == "cancelled"
    assert statuses[f"reminderday:{new.id + 1}"] == "pending"


async def test_cancel_until_four_hours_before_then_who_to_contact(
    person: Chat, clock: FrozenClock
) -> None:
    await book_info_tuesday_14h(person)
    clock.advance(hours=1, minutes=30)  # 11:30 in Paris, 2 h 30 before
    await person.say("annuler mon rendez-vous")
    assert "moins de 4 heures" in person.text and "conseiller" in person.text
    assert bookings(person.assistant)[0].status == "booked"
    clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    await person.say("annuler mon rendez-vous")
    assert "vraiment annuler" in person.text
    await person.press_label("Oui, annuler")
    assert "C'est annulé" in person.text
    assert bookings(person.assistant)[0].status == "cancelled"


async def test_one_active_booking_per_motif(person: Chat) -> None:
    await book_info_tuesday_14h(person)
    await person.say("je veux un rendez-vous")
    await person.press_label("Information sur les métiers")
    assert "déjà un rendez-vous" in person.text
    assert any(p.startswith("appt:mv:") for p in person.payloads)


async def test_reminder_buttons_i_cannot_come_frees_and_offers_new_slots(person: Chat) -> None:
    await book_info_tuesday_14h(person)
    (booking,) = bookings(person.assistant)
    await person.press(f"appt:yes:{booking.id}")
    assert "on vous attend" in person.text
    await person.press(f"appt:no:{booking.id}")
    assert "place est libérée" in person.text
    assert "Quel jour" in person.text
    (after,) = bookings(person.assistant)
    assert after.status == "cancelled" and after.attendance == "excused"


async def test_my_data_lists_upcoming_appointments(person: Chat) -> None:
    await book_info_tuesday_14h(person)
    await person.say("/mesdonnees")
    assert "vos rendez-vous à venir" in person.text
    assert "mardi 24 novembre à 14 h 00" in person.text


async def test_erasure_frees_the_seat_and_keeps_an_anonymous_row(person: Chat) -> None:
    await book_info_tuesday_14h(person)
    await person.say("/supprimer")
    await person.press(next(p for p in person.payloads if p.startswith("privacy:confirm")))
    (row,) = bookings(person.assistant)
    assert row.person_id is None
    assert outbox(person.assistant) == []


async def test_erasure_tells_the_waiting_list_that_a_place_is_free(person: Chat) -> None:
    from capabilities.appointments.booking import join_waitlist
    from store.models import Person

    await book_info_tuesday_14h(person)
    with person.assistant.sessions() as session:
        waiting = Person(consent="given")
        session.add(waiting)
        session.flush()
        join_waitlist(session, person_id=waiting.id, motif_id="info", espace_id=None, now=NOW)
        session.commit()
        waiting_id = waiting.id
    await person.say("/supprimer")
    await person.press(next(p for p in person.payloads if p.startswith("privacy:confirm")))
    (row,) = bookings(person.assistant)
    assert (row.person_id, row.status, row.cancelled_by) == (None, "cancelled", "erasure")
    freed = [m for m in outbox(person.assistant) if m.rule == "waitlist_freed"]
    assert [m.person_id for m in freed] == [waiting_id]


async def test_nothing_free_offers_the_waiting_list(
    person: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    from capabilities.appointments import steps
    from store.appointments import WaitlistEntry

    monkeypatch.setattr(steps, "search", lambda *args, **kwargs: [])
    await person.say("je veux un rendez-vous")
    await person.press_label("Joblabo")
    await person.press_label("gare")
    assert "plus de place libre" in person.text and "60 prochains jours" in person.text
    assert any("Saint-Pol" in b.label for b in person.buttons)  # try the other Espace
    await person.press_label("Prévenez-moi")
    assert "dès qu'une place se libère" in person.text
    with person.assistant.sessions() as session:
        (entry,) = session.scalars(select(WaitlistEntry)).all()
        assert (entry.motif_id, entry.espace_id, entry.status) == ("joblabo", "gare", "waiting")


async def test_the_nearest_espace_comes_first_when_the_commune_is_known(person: Chat) -> None:
    from store.models import Person

    with person.assistant.sessions() as session:
        (row,) = session.scalars(select(Person)).all()
        row.commune = "Grande-Synthe"
        session.commit()
    await person.say("je veux un rendez-vous")
    await person.press_label("Information sur les métiers")
    assert "le plus proche de chez vous" in person.buttons[0].label
    assert "Saint-Pol" in person.buttons[0].label


async def test_a_taken_time_proposes_the_nearest_free_times(person: Chat) -> None:
    await person.say("je veux un rendez-vous")
    await person.press_label("Information sur les métiers")
    await person.press_label("Saint-Pol")
    await person.say("jeudi à 19h")  # after closing time: the last free times of the day
    assert "pas de créneau libre à 19 h 00" in person.text
    assert "Les heures libres les plus proches" in person.text
    times = [b.label for b in person.buttons if b.label.endswith(("h 00", "h 30"))]
    assert 1 <= len(times) <= 3
    assert "9 h 00" not in times  # not the whole day from the morning on


async def test_move_in_words_uses_the_day_and_time_said(person: Chat, nlu: FakeNlu) -> None:
    await book_info_tuesday_14h(person)
    nlu.table["on peut decaler a jeudi vers 9h"] = (
        "reschedule_appointment",
        0.93,
        [entity("date", "jeudi"), entity("time", "9h")],
    )
    await person.say("on peut decaler a jeudi vers 9h")
    assert "Je récapitule" in person.text  # no "Quel jour ?" again
    assert "Jeudi 26 novembre à 9 h 00" in person.text
    (old,) = bookings(person.assistant)
    assert old.status == "booked"  # nothing moved before "Je confirme"


# --- a typed « oui » / « non » right after a reminder « Vous venez ? » ---


async def _reminded(person: Chat) -> Booking:
    """Book, then let the dispatcher "send" the day's reminder (its after-send hook runs)."""
    await book_info_tuesday_14h(person)
    (booking,) = bookings(person.assistant)
    with person.assistant.sessions() as session:
        key = f"reminderday:{booking.id}"
        after_reminder_sent(session, booking.person_id or 0, "reminder_day", key, NOW)
        session.commit()
    return booking


@pytest.mark.parametrize("typed", ["oui", "ouais", "ok", "Oui merci"])
async def test_typed_yes_after_a_reminder_confirms_coming(person: Chat, typed: str) -> None:
    booking = await _reminded(person)
    await person.say(typed)
    assert "on vous attend" in person.text
    (after,) = bookings(person.assistant)
    assert after.id == booking.id and after.status == "booked"
    assert after.confirmed_at is not None


@pytest.mark.parametrize("typed", ["non", "pas maintenant", "Non merci"])
async def test_typed_no_after_a_reminder_frees_the_place(person: Chat, typed: str) -> None:
    await _reminded(person)
    await person.say(typed)
    assert "place est libérée" in person.text and "Quel jour" in person.text
    (after,) = bookings(person.assistant)
    assert after.status == "cancelled" and after.attendance == "excused"


async def test_a_question_after_a_reminder_is_read_as_usual(person: Chat) -> None:
    await _reminded(person)
    await person.say("mes rendez-vous")
    assert "on vous attend" not in person.text
    (after,) = bookings(person.assistant)
    assert after.status == "booked"
    await person.say("oui")  # the reminder was not answered by this: nothing happens to it
    assert bookings(person.assistant)[0].status == "booked"


async def test_a_sent_reminder_is_answered_by_a_typed_oui(person: Chat, clock: FrozenClock) -> None:
    """Through the dispatcher as the scheduler runs it: the day's reminder, then « ouais »."""
    await person.say("je veux un rendez-vous")
    await person.press_label("Information sur les métiers")
    await person.press_label("Saint-Pol")
    await person.press_label("mercredi 25 novembre")
    await person.press_label("9 h 30")
    await skip_name_and_phone(person)
    await person.press_label("Je confirme")
    clock.now = datetime(2026, 11, 25, 7, 35, tzinfo=UTC)  # 8:35 in Paris, the day's reminder
    channel = FakeChannel(name="local")
    dispatcher = Dispatcher(
        person.assistant.sessions,
        {"local": channel},
        default_rules(),
        clock=clock,
        after_send=AFTER_SEND,
        offload=False,
    )
    while await dispatcher.drain_once():
        pass
    await dispatcher.close()
    assert any("Vous venez ?" in m.text for _, replies in channel.sent for m in replies)
    await person.say("ouais")
    assert "on vous attend" in person.text
    assert bookings(person.assistant)[0].confirmed_at is not None
