"""Hole 6: a collective session asked at an Espace where it is not held says so, and where it is."""

from __future__ import annotations

from typing import Any

import pytest

from tests.chat import Chat, FakeNlu


def entity(name: str, value: str) -> dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": len(value)}


@pytest.fixture
async def person(chat: Chat, fake_nlu: FakeNlu) -> Chat:
    fake_nlu.table["joblabo a saint-pol"] = (
        "book_appointment",
        0.93,
        [entity("espace", "saint-pol")],
    )
    await chat.consent()
    return chat


async def test_joblabo_at_saint_pol_is_not_offered_there_and_points_to_the_gare(
    person: Chat,
) -> None:
    await person.say("joblabo a saint-pol")
    assert "plus de place libre" not in person.text
    assert "n'a pas lieu" in person.text and "Saint-Pol" in person.text
    assert "gare" in person.text.lower()
    gare = [b for b in person.buttons if "gare" in b.label.lower()]
    assert gare and gare[0].payload.split("~")[0] == "appt:e:gare"
    await person.press(gare[0].payload)
    assert "Quel jour" in person.text


async def test_the_espace_question_only_lists_where_a_session_is_held(person: Chat) -> None:
    await person.say("je veux un rendez-vous")
    await person.press_label("Joblabo")
    labels = [b.label for b in person.buttons]
    assert any("gare" in label.lower() for label in labels)
    assert not any("Saint-Pol" in label for label in labels)
