"""Demonstration mode: example hours are never presented as a real appointment."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from store.appointments import OpeningPeriod
from tests.chat import Chat, FakeNlu

DEMO = "Démonstration"


@pytest.fixture
async def person(chat: Chat, fake_nlu: FakeNlu) -> Chat:
    await chat.consent()
    return chat


async def test_every_offer_and_the_confirmation_say_it_is_a_demonstration(person: Chat) -> None:
    await person.say("je veux un rendez-vous")
    await person.press_label("Information sur les métiers")
    await person.press_label("Saint-Pol")
    assert "Quel jour" in person.text and DEMO in person.text
    await person.press_label("mardi 24 novembre")
    assert "À quelle heure" in person.text and DEMO in person.text
    await person.press_label("14 h 00")
    assert "Quel est votre prénom ?" in person.text
    await person.press_label("Passer")
    assert "Je récapitule" in person.text  # no phone number asked: nobody would call
    assert "n'est pas réel" in person.text
    await person.press_label("Je confirme")
    text = person.text
    assert "C'est réservé" not in text
    assert "pour la démonstration" in text and "Personne ne vous attend" in text
    (document,) = [r.document for r in person.last if r.document]
    assert "DÉMONSTRATION".encode() in document.content


async def test_real_hours_book_without_any_demonstration_notice(person: Chat) -> None:
    with person.assistant.sessions() as session:  # the operator confirmed the hours
        session.execute(update(OpeningPeriod).values(example=False))
        session.commit()
    seen: list[str] = []
    await person.say("je veux un rendez-vous")
    for label in ("Information sur les métiers", "Saint-Pol", "mardi 24 novembre", "14 h 00"):
        await person.press_label(label)
        seen.append(person.text)
    await person.press_label("Passer")
    assert "pour que l'Espace puisse vous appeler" in person.text  # real hours: asked
    await person.press_label("Non merci")
    await person.press_label("Je confirme")
    seen.append(person.text)
    assert "C'est réservé !" in person.text
    assert not any(DEMO in text or "DÉMONSTRATION" in text for text in seen)


async def test_only_the_espace_with_example_hours_is_a_demonstration(person: Chat) -> None:
    with person.assistant.sessions() as session:
        session.execute(
            update(OpeningPeriod).where(OpeningPeriod.espace_id == "gare").values(example=False)
        )
        session.commit()
    await person.say("je veux un rendez-vous")
    await person.press_label("Information sur les métiers")
    await person.press_label("gare")
    assert "Quel jour" in person.text and DEMO not in person.text
