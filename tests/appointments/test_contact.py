"""While booking: a first name (skippable, the known one offered), then a phone number for
the Espace only with an explicit yes; kept with the person, listed by /mesdonnees, erased by
/supprimer, never in the logs."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select, update

from capabilities.assistant.assistant import Assistant
from store.appointments import BookingContact, OpeningPeriod
from tests.appointments.test_flow import bookings, nlu  # noqa: F401
from tests.chat import Chat, FakeNlu


@pytest.fixture(autouse=True)
def real_hours(assistant: Assistant) -> None:
    """The operator confirmed the hours: not a demonstration, so a number is asked."""
    with assistant.sessions() as session:
        session.execute(update(OpeningPeriod).values(example=False))
        session.commit()


@pytest.fixture
async def person(chat: Chat, nlu: FakeNlu) -> Chat:  # noqa: F811
    await chat.consent()
    return chat


def contact(assistant: Assistant) -> BookingContact | None:
    with assistant.sessions() as session:
        return session.scalars(select(BookingContact)).one_or_none()


async def to_the_name_question(chat: Chat) -> None:
    await chat.say("je veux un rendez-vous")
    await chat.press_label("Information sur les métiers")
    await chat.press_label("Saint-Pol")
    await chat.press_label("mardi 24 novembre")
    await chat.press_label("14 h 00")
    assert "Quel est votre prénom ?" in chat.text


async def test_name_and_phone_are_asked_shown_in_the_summary_and_kept(
    person: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await to_the_name_question(person)
    await person.say("léa")
    assert "pour que l'Espace puisse vous appeler" in person.text
    assert [b.label for b in person.buttons] == ["Oui, je donne mon numéro", "Non merci"]
    await person.press_label("Oui, je donne mon numéro")
    assert "06 12 34 56 78" in person.text  # the example of how to write it
    await person.say("0612345678")
    assert "Je récapitule" in person.text
    assert (
        "Prénom : Léa" in person.text and "Téléphone pour l'Espace : 06 12 34 56 78" in person.text
    )
    await person.press_label("Je confirme")
    assert "C'est réservé" in person.text or "démonstration" in person.text
    kept = contact(person.assistant)
    assert kept is not None and kept.first_name == "Léa" and kept.phone == "+33612345678"
    assert kept.phone_consent_at is not None
    assert "0612345678" not in caplog.text and "+33612345678" not in caplog.text
    assert "12 34 56 78" not in caplog.text


async def test_both_can_be_skipped_and_nothing_is_kept(person: Chat) -> None:
    await to_the_name_question(person)
    await person.press_label("Passer")
    await person.press_label("Non merci")
    assert "Je récapitule" in person.text and "Prénom" not in person.text
    await person.press_label("Je confirme")
    assert len(bookings(person.assistant)) == 1
    assert contact(person.assistant) is None


@pytest.mark.parametrize("typed", ["non", "Non merci", "pas maintenant"])
async def test_a_typed_no_to_the_phone_question_skips_it(person: Chat, typed: str) -> None:
    await to_the_name_question(person)
    await person.press_label("Passer")
    await person.say(typed)
    assert "Je récapitule" in person.text and "Téléphone" not in person.text


async def test_a_bad_number_gets_a_kind_answer_then_a_retry_or_a_skip(person: Chat) -> None:
    await to_the_name_question(person)
    await person.say("Samia")
    await person.press_label("Oui, je donne mon numéro")
    await person.say("06 12 34")
    assert "Ce numéro n'existe pas" in person.text and "Non merci" in [
        b.label for b in person.buttons
    ]
    await person.say("mon numero c'est le 06 douze")
    assert "Je ne reconnais pas un numéro" in person.text
    await person.say("+44 20 7946 0958")
    assert "Seuls les numéros français" in person.text
    await person.say("03 28 12 34 56")  # a landline is fine: the Espace calls it
    assert "Téléphone pour l'Espace : 03 28 12 34 56" in person.text
    assert "Traceback" not in person.text


async def test_a_bad_number_can_be_skipped(person: Chat) -> None:
    await to_the_name_question(person)
    await person.press_label("Passer")
    await person.press_label("Oui, je donne mon numéro")
    await person.say("123")
    await person.press_label("Non merci")
    assert "Je récapitule" in person.text
    await person.press_label("Je confirme")
    assert contact(person.assistant) is None


async def test_a_typed_answer_that_is_not_a_name_is_asked_again(person: Chat) -> None:
    await to_the_name_question(person)
    await person.say("12345 ???")
    assert "Écrivez seulement votre prénom" in person.text
    assert "Passer" in [b.label for b in person.buttons]


async def test_the_known_name_is_offered_and_the_number_not_asked_twice(
    assistant: Assistant,
    nlu: FakeNlu,  # noqa: F811
) -> None:
    nora = Chat(assistant, user="u-nora", display_name="Nora Benali")
    await nora.consent()
    await to_the_name_question(nora)
    assert [b.label for b in nora.buttons] == ["Nora", "Passer"]  # the channel's first name
    await nora.press_label("Nora")
    await nora.press_label("Oui, je donne mon numéro")
    await nora.say("07 81 23 45 67")
    await nora.press_label("Je confirme")
    await nora.say("je veux un rendez-vous")
    await nora.press_label("Rencontre avec un conseiller")
    await nora.press_label("Saint-Pol")
    await nora.press_label(next(b.label for b in nora.buttons if "novembre" in b.label))
    await nora.press_label(next(b.label for b in nora.buttons if " h " in b.label))
    assert "Quel est votre prénom ?" in nora.text
    await nora.say("oui")  # takes the name offered
    assert "Je récapitule" in nora.text and "Prénom : Nora" in nora.text  # no second number asked
    kept = contact(assistant)
    assert kept is not None and kept.first_name == "Nora" and kept.phone == "+33781234567"


async def test_my_data_lists_them_and_erasure_removes_them(person: Chat) -> None:
    await to_the_name_question(person)
    await person.say("Léa")
    await person.press_label("Oui, je donne mon numéro")
    await person.say("06 12 34 56 78")
    await person.press_label("Je confirme")
    await person.say("/mesdonnees")
    assert "le prénom donné pour vos rendez-vous : Léa" in person.text
    assert "pour que l'Espace vous appelle : 06 12 34 56 78" in person.text
    await person.say("/supprimer")
    await person.press(next(p for p in person.payloads if p.startswith("privacy:confirm")))
    assert contact(person.assistant) is None


def test_the_privacy_export_finds_the_table() -> None:
    from store.person_data import links

    assert "booking_contacts" in {link.table.name for link in links()}


async def test_no_number_is_asked_for_an_example_agenda(assistant: Assistant, person: Chat) -> None:
    with assistant.sessions() as session:
        session.execute(update(OpeningPeriod).values(example=True))
        session.commit()
    await to_the_name_question(person)
    await person.press_label("Passer")
    assert "Je récapitule" in person.text and "appeler" not in person.text
