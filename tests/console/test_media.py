"""Voice notes and photos reach a counsellor: staff topic, console, /mesdonnees, /supprimer."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from capabilities.handoff.relay import StaffRelay
from core.clock import FrozenClock
from core.messages import Attachment, Kind
from store.media import PersonMedia
from store.models import Conversation
from tests.chat import Chat
from tests.console.conftest import sign_in
from tests.console.fakes import RecordingStaffGroup

OGG = b"OggS\x00\x02" + bytes(range(200))
JPEG = b"\xff\xd8\xff\xe0" + bytes(300)


async def send_voice(chat: Chat, caption: str = "") -> None:
    attachment = Attachment("voice", "audio/ogg", OGG, duration_s=7)
    await chat.send(chat._incoming(Kind.MEDIA, media="voice", text=caption, attachment=attachment))


async def send_photo(chat: Chat, caption: str = "") -> None:
    attachment = Attachment("photo", "image/jpeg", JPEG)
    await chat.send(chat._incoming(Kind.MEDIA, media="photo", text=caption, attachment=attachment))


def stored(chat: Chat) -> list[PersonMedia]:
    with chat.assistant.sessions() as session:
        return list(session.scalars(select(PersonMedia).order_by(PersonMedia.id)))


@pytest.fixture
def counsellor(add_staff: Callable[..., int]) -> int:
    return add_staff("Karim", "karim@example.org")


async def test_a_voice_note_goes_to_the_staff_topic_and_the_person_is_told_kindly(
    chat: Chat, relay: StaffRelay, group: RecordingStaffGroup, counsellor: int
) -> None:
    await chat.consent()
    await send_voice(chat)
    assert "Un conseiller va l'écouter" in chat.text
    assert "je ne lis que" not in chat.text.lower()
    with chat.assistant.sessions() as session:
        assert session.scalars(select(Conversation)).one().handoff == "waiting"
    ((thread, kind, data, mime, caption),) = group.media
    assert (kind, data, mime) == ("voice", OGG, "audio/ogg")
    assert caption.startswith("👤 Message vocal (7 s)")
    assert thread in group.topics  # the person's topic, created with the hand-off
    (row,) = stored(chat)
    assert row.kind == "voice" and row.size == len(OGG)


async def test_a_photo_during_a_hand_off_is_relayed_into_the_same_request(
    chat: Chat, relay: StaffRelay, group: RecordingStaffGroup, counsellor: int
) -> None:
    await chat.consent()
    await chat.say("je veux un conseiller")
    await send_photo(chat, caption="ma convocation")
    assert "Un conseiller va la regarder" in chat.text and "Il vous répondra ici" in chat.text
    ((_thread, kind, data, _mime, caption),) = group.media
    assert kind == "photo" and data == JPEG and "ma convocation" in caption
    assert len(group.topics) == 1


async def test_my_data_counts_the_media_and_erasing_removes_them(
    chat: Chat, relay: StaffRelay, counsellor: int
) -> None:
    await chat.consent()
    await send_voice(chat)
    await send_voice(chat)
    await send_photo(chat)
    await chat.say("/mesdonnees")
    assert "2 messages vocaux, gardés pour les conseillers" in chat.text
    assert "1 photo, gardée pour les conseillers" in chat.text
    await chat.press("human:back")  # (while waiting, buttons go to the counsellor)
    await chat.say("/supprimer")
    await chat.press_label("Oui, tout effacer")
    assert "j'ai tout effacé" in chat.text
    assert stored(chat) == []


async def test_with_no_counsellor_the_menu_and_the_espaces_are_offered_and_nothing_kept(
    chat: Chat,
) -> None:
    await chat.consent()
    await send_voice(chat)
    assert "Je ne peux pas écouter les messages vocaux" in chat.text
    assert "Aucun conseiller n'est joignable" in chat.text
    assert "Espace 20 000 emplois de Saint-Pol-sur-Mer" in chat.text
    assert chat.buttons  # the menu
    assert stored(chat) == []
    with chat.assistant.sessions() as session:
        assert session.scalars(select(Conversation)).one().handoff == "bot"


async def test_the_console_shows_a_player_and_the_image_and_serves_them_to_staff_only(
    chat: Chat, client: TestClient, relay: StaffRelay, counsellor: int
) -> None:
    await chat.consent()
    await send_voice(chat)
    await send_photo(chat)
    voice, photo = stored(chat)
    url = f"/conversations/{voice.person_id}"
    assert client.get(f"{url}/media/{voice.id}", follow_redirects=False).status_code == 303
    assert sign_in(client, "karim@example.org") == 303
    page = client.get(url).text
    assert f'<audio controls preload="none" src="{url}/media/{voice.id}"' in page
    assert f'<img src="{url}/media/{photo.id}"' in page
    audio = client.get(f"{url}/media/{voice.id}")
    assert audio.status_code == 200 and audio.content == OGG
    assert audio.headers["content-type"] == "audio/ogg"
    assert client.get(f"{url}/media/{photo.id}").content == JPEG
    assert client.get(f"/conversations/{voice.person_id}/media/999").status_code == 404


async def test_voice_notes_and_photos_are_deleted_three_months_later_and_the_console_says_so(
    chat: Chat, client: TestClient, relay: StaffRelay, counsellor: int, clock: FrozenClock
) -> None:
    from store import retention

    await chat.consent()
    await send_voice(chat)
    clock.advance(days=80)
    await send_photo(chat)  # still within three months of today
    voice, photo = stored(chat)
    clock.advance(days=15)  # the voice note is 95 days old, the photo 15
    policy = retention.load_policy()
    assert policy.media_months == 3
    with chat.assistant.sessions() as session:
        planned, people = retention.plan(session, clock(), policy)
        assert people == [] and planned.counts == {"person_media": 1}
        retention.apply(session, clock(), policy)
        session.commit()
    assert [m.id for m in stored(chat)] == [photo.id]
    assert sign_in(client, "karim@example.org") == 303
    url = f"/conversations/{voice.person_id}"
    page = client.get(url).text
    assert f"{url}/media/{photo.id}" in page and f"{url}/media/{voice.id}" not in page
    gone = client.get(f"{url}/media/{voice.id}")
    assert gone.status_code == 404
    assert "supprimé 3 mois après" in gone.text and "Traceback" not in gone.text
