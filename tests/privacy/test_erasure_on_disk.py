"""After /supprimer, the erased text is in no SQLite file: not in the -wal, not in the base."""

from __future__ import annotations

from pathlib import Path

from capabilities.assistant.assistant import Assistant
from tests.chat import Chat

NAME = "Zéphyrine Quatremare"


def on_disk(database_url: str) -> dict[str, int]:
    path = Path(database_url.removeprefix("sqlite:///"))
    needle = NAME.encode("utf-8")
    return {
        file.name: file.read_bytes().count(needle)
        for file in (path, path.with_name(path.name + "-wal"))
        if file.exists()
    }


async def test_the_erased_name_is_not_left_in_the_wal_file(
    assistant: Assistant, database_url: str
) -> None:
    chat = Chat(assistant, display_name=NAME)
    await chat.consent()
    await chat.say(f"je suis {NAME}")
    await chat.say("logement")
    assert sum(on_disk(database_url).values()) > 0  # it was written down
    await chat.say("/supprimer")
    confirm = next(p for p in chat.payloads if p.startswith("privacy:confirm"))
    await chat.press(confirm)
    assert "j'ai tout effacé" in chat.text
    assert set(on_disk(database_url).values()) == {0}, on_disk(database_url)
