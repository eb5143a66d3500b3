"""/mesdonnees sends a copy of everything kept: a readable text file and a JSON file."""

from __future__ import annotations

import json

from core.messages import Document
from store.console_models import StaffNote
from tests.chat import Chat


def files(chat: Chat) -> list[Document]:
    return [reply.document for reply in chat.last if reply.document is not None]


async def test_the_copy_holds_messages_both_ways_and_counsellor_notes(chat: Chat) -> None:
    await chat.consent()
    await chat.say("logement")
    with chat.assistant.sessions() as session:
        session.add(
            StaffNote(person_id=1, author="Claire", text="Cherche un studio à Grande-Synthe")
        )
        session.commit()
    await chat.say("/mesdonnees")
    assert "Voici ce que je garde sur vous" in chat.text
    text_file, json_file = files(chat)
    assert text_file.filename.endswith(".txt") and json_file.filename.endswith(".json")
    readable = text_file.content.decode("utf-8")
    assert "== Nos échanges ==" in readable
    assert "Vous : logement" in readable  # what the person wrote
    assert "L'assistant : " in readable  # what the bot answered
    assert "== Les notes des conseillers sur vous ==" in readable
    assert "Cherche un studio à Grande-Synthe" in readable
    data = json.loads(json_file.content)
    tables = data["tables"]
    assert tables["people"][0]["display_name"] == "Samia"
    assert {row["direction"] for row in tables["messages"]} == {"in", "out"}
    assert tables["staff_notes"][0]["author"] == "Claire"
    assert "nonce" not in tables["conversations"][0]  # technical secrets stay out
    assert "privacy:erase" in chat.payloads  # the erase button is still offered


async def test_the_copy_is_in_the_person_s_language(chat: Chat) -> None:
    await chat.consent()
    await chat.press("lang:en")
    await chat.say("/mesdonnees")
    readable = files(chat)[0].content.decode("utf-8")
    assert "== Our conversation ==" in readable and "Nos échanges" not in readable
    assert "You : " in readable or "You: " in readable
