"""Hole 2: at every confirmation step, typed yes/no does what the buttons do."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from capabilities.conversation.yesno import read_yes_no
from store.appointments import Booking
from store.models import Person
from tests.appointments.test_flow import book_info_tuesday_14h, bookings, nlu  # noqa: F401
from tests.chat import Chat


@pytest.fixture
async def person(chat: Chat, nlu) -> Chat:  # noqa: F811
    await chat.consent()
    return chat


@pytest.mark.parametrize(
    "typed",
    [
        "oui",
        "Ouais",
        "ouii !",
        "ok",
        "OK merci",
        "d'accord",
        "je confirme",
        "oui je confirme",
        "yes",
        "yep",
        "👍",
        "c'est bon",
        "vas-y",
        "oui oui",
    ],
)
def test_yes_words(typed: str) -> None:
    assert read_yes_no(typed) is True


@pytest.mark.parametrize(
    "typed", ["non", "Nan", "non merci", "pas maintenant", "no", "not now", "plus tard", "👎"]
)
def test_no_words(typed: str) -> None:
    assert read_yes_no(typed) is False


@pytest.mark.parametrize(
    "typed", ["", "oui mais à quelle heure ?", "je sais pas", "mardi", "non oui", "pas ok"]
)
def test_anything_else_is_not_an_answer(typed: str) -> None:
    assert read_yes_no(typed) is None


async def move_to_recap(person: Chat) -> None:
    await book_info_tuesday_14h(person)
    await person.say("mes rendez-vous")
    await person.press_label("Déplacer")
    await person.press_label("mercredi 25 novembre")
    await person.press_label("9 h 30")
    assert "Je récapitule" in person.text


@pytest.mark.parametrize("typed", ["oui", "ouais", "ok"])
async def test_typed_yes_at_a_move_recap_moves(person: Chat, typed: str) -> None:
    await move_to_recap(person)
    await person.say(typed)
    assert "C'est déplacé" in person.text
    old, new = bookings(person.assistant)
    assert old.status == "moved" and new.status == "booked"


@pytest.mark.parametrize("typed", ["non", "pas maintenant"])
async def test_typed_no_at_a_move_recap_keeps_the_booking_and_says_so(
    person: Chat, typed: str
) -> None:
    await move_to_recap(person)
    await person.say(typed)
    assert "Que puis-je faire" not in person.text
    assert "rien n'a changé" in person.text.lower() or "ne change pas" in person.text
    (only,) = bookings(person.assistant)
    assert only.status == "booked"


async def test_typed_yes_to_cancel_cancels(person: Chat) -> None:
    await book_info_tuesday_14h(person)
    await person.say("annuler mon rendez-vous")
    assert "vraiment annuler" in person.text
    await person.say("oui")
    assert "C'est annulé" in person.text
    assert bookings(person.assistant)[0].status == "cancelled"


async def test_typed_no_to_cancel_keeps_it(person: Chat) -> None:
    await book_info_tuesday_14h(person)
    await person.say("annuler mon rendez-vous")
    await person.say("nan")
    assert bookings(person.assistant)[0].status == "booked"
    assert "garde" in person.text.lower() or "rien n'a changé" in person.text.lower()


async def test_english_yes_at_a_recap_books(person: Chat) -> None:
    await person.say("je veux un rendez-vous")
    await person.press_label("Information sur les métiers")
    await person.press_label("Saint-Pol")
    await person.press_label("mardi 24 novembre")
    await person.press_label("14 h 00")
    await person.say("no")  # no first name: skipped (no number asked for the example agenda)
    await person.say("yes")
    assert "Je vous enverrai un rappel" in person.text  # the booking's confirmation (demo or not)
    with person.assistant.sessions() as session:
        assert session.scalars(select(Booking)).one().status == "booked"


async def test_typed_answers_at_the_erase_question(person: Chat) -> None:
    await person.say("/supprimer")
    await person.say("non")
    assert "je n'efface rien" in person.text
    with person.assistant.sessions() as session:
        assert session.scalars(select(Person)).one() is not None
    await person.say("/supprimer")
    await person.say("oui")
    assert "j'ai tout effacé" in person.text
    with person.assistant.sessions() as session:
        assert session.scalars(select(Person)).all() == []
