"""The web chat over HTTP and WebSocket (Starlette's TestClient): what a visitor's browser sees."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from capabilities.handoff.state import counsellor_reply
from store.models import ChannelAccount, Conversation, Person
from store.webchat_models import WebchatMessage
from tests.console.fakes import drain_relays
from tests.webchat.conftest import ORIGIN, Web


def start(web: Web, **headers: str) -> dict[str, Any]:
    response = web.client.post("/chat/api/session", json={}, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def send(web: Web, token: str, **body: Any) -> Any:
    return web.client.post("/chat/api/send", json={"token": token, **body})


def consented(web: Web) -> str:
    token = start(web)["token"]
    items = send(web, token, start=True).json()["items"]
    assert any(
        b["payload"] == "consent:yes" for i in items for row in i.get("buttons", []) for b in row
    )
    send(web, token, button="consent:yes", label="J'accepte")
    return str(token)


def texts(items: list[dict[str, Any]]) -> str:
    return "\n".join(item.get("text", "") for item in items)


def test_the_page_and_the_widget_are_served_without_any_third_party(web: Web) -> None:
    page = web.client.get("/chat")
    assert page.status_code == 200
    assert 'src="/chat/widget.js"' in page.text
    assert "http" not in page.text.split("<body")[1]  # nothing loaded from elsewhere
    assert "default-src 'self'" in page.headers["content-security-policy"]
    script = web.client.get("/chat/widget.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "innerHTML" not in script.text and "eval(" not in script.text
    assert web.client.get("/chat/widget.css").status_code == 200


def test_consent_first_then_the_free_buses_and_the_transcript_survives_a_reload(web: Web) -> None:
    first = start(web)
    assert first["items"] == [] and first["ui"]["send"] == "Envoyer"
    token = first["token"]
    welcome = send(web, token, start=True).json()["items"]
    assert "Vie privée" in texts(welcome)
    send(web, token, button="consent:yes", label="J'accepte")
    answer = send(web, token, text="bus").json()["items"]
    assert answer[0] == {"id": answer[0]["id"], "role": "visitor", "text": "bus"}
    assert "gratuits" in texts(answer)
    links = [b for i in answer for row in i.get("buttons", []) for b in row if "url" in b]
    assert links and all(b["url"].startswith("https://") for b in links)
    again = start(web, **{})  # a reload without the token is a new visitor…
    assert again["token"] != token and again["items"] == []
    reload = web.client.post(
        "/chat/api/session", json={"token": token}
    ).json()  # …with it, the same
    assert reload["token"] == token
    assert "gratuits" in texts(reload["items"]) and "J'accepte" in texts(reload["items"])


def test_a_booking_with_buttons_ends_with_the_ics_to_download(web: Web) -> None:
    token = consented(web)
    items = send(web, token, text="je veux un rendez-vous").json()["items"]
    for _ in range(8):  # motif, Espace, day, time, first name (phone: not for the demo), ok
        payloads = [
            b["payload"]
            for i in items
            for row in i.get("buttons", [])
            for b in row
            if b.get("payload", "").startswith("appt:") and b["payload"] != "appt:menu"
        ]
        items = send(web, token, button=payloads[0], label="choix").json()["items"]
        if any("document" in i for i in items):
            break
    document = next(i["document"] for i in items if "document" in i)
    assert document["filename"].endswith(".ics") and document["mime"] == "text/calendar"
    assert b"BEGIN:VCALENDAR" in base64.b64decode(document["data"])
    assert "pour la démonstration" in texts(items)  # the example agenda says so


def test_a_counsellor_answer_reaches_the_open_socket_and_counts_as_unread_later(web: Web) -> None:
    token = consented(web)
    send(web, token, text="je veux un conseiller")
    with web.client.websocket_connect("/chat/ws", headers={"origin": ORIGIN}) as socket:
        socket.send_json({"type": "hello", "token": token, "after": 10_000})
        ready = socket.receive_json()
        assert ready["type"] == "ready" and ready["items"] == []
        reply_from_console(web, "Bonjour, je suis Karim, votre conseiller.")
        pushed = socket.receive_json()
        assert pushed["type"] == "item" and pushed["item"]["text"].startswith(
            "Bonjour, je suis Karim"
        )
    # the page is closed now: the next answer waits, with a badge
    reply_from_console(web, "Je vous rappelle demain matin.")
    snapshot = web.client.post("/chat/api/session", json={"token": token}).json()
    assert (
        snapshot["unread"] >= 2
        and snapshot["items"][-1]["text"] == "Je vous rappelle demain matin."
    )
    web.client.post("/chat/api/seen", json={"token": token, "id": snapshot["items"][-1]["id"]})
    assert web.client.post("/chat/api/session", json={"token": token}).json()["unread"] == 0


def reply_from_console(web: Web, text: str) -> None:
    sessions = web.context.sessions
    with sessions() as session:
        account = session.query(ChannelAccount).filter_by(channel="web").one()
        conversation = session.get(Conversation, account.person_id)
        assert conversation is not None
        counsellor_reply(
            session, conversation, text, at=web.context.clock(), by="staff:1", channel="console"
        )
        session.commit()
    sent = web.client.portal.call(drain_relays, sessions, web.parts.chat, web.context.clock())  # type: ignore[union-attr]
    assert sent == 1


def test_long_polling_gets_what_the_socket_would(web: Web) -> None:
    token = consented(web)
    send(web, token, text="je veux un conseiller")
    last = web.client.post("/chat/api/session", json={"token": token}).json()["items"][-1]["id"]
    web.parts.server.poll_seconds = 0.2
    empty = web.client.post("/chat/api/poll", json={"token": token, "after": last}).json()
    assert empty["items"] == []
    reply_from_console(web, "Je regarde votre dossier.")
    polled = web.client.post("/chat/api/poll", json={"token": token, "after": last}).json()
    assert [i["text"] for i in polled["items"]] == ["Je regarde votre dossier."]


def test_another_visitors_conversation_cannot_be_read_with_a_made_up_token(web: Web) -> None:
    token = consented(web)
    send(web, token, text="bus")
    visitor = token.split(".")[0]
    for forged in (visitor, visitor + ".0000", visitor + "." + "a" * 32, "", 42, None):
        response = web.client.post("/chat/api/session", json={"token": forged}).json()
        assert response["token"] != token and response["items"] == []
        refused = web.client.post("/chat/api/poll", json={"token": forged})
        assert refused.status_code == 401 and "Rechargez la page" in refused.json()["error"]


def test_other_origins_are_refused_and_allowed_ones_get_cors(web: Web) -> None:
    evil = web.client.post("/chat/api/session", json={}, headers={"origin": "https://evil.example"})
    assert evil.status_code == 403 and "pas autorisé" in evil.json()["error"]
    assert "access-control-allow-origin" not in evil.headers
    allowed = web.client.post("/chat/api/session", json={}, headers={"origin": ORIGIN})
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    preflight = web.client.options("/chat/api/send", headers={"origin": ORIGIN})
    assert (
        preflight.status_code == 204
        and "content-type" in preflight.headers["access-control-allow-headers"]
    )
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        web.client.websocket_connect("/chat/ws", headers={"origin": "https://evil.example"}) as s,
    ):
        s.receive_json()
    assert closed.value.code == 1008


def test_too_long_too_fast_empty_and_broken_messages_get_a_kind_answer(web: Web) -> None:
    token = consented(web)
    long = send(web, token, text="a" * 301)
    assert long.status_code == 413 and "trop long" in long.json()["error"]
    assert send(web, token, text="   ").status_code == 400
    garbage = web.client.post("/chat/api/send", content=b"{not json")
    assert garbage.status_code == 400 and "vide" in garbage.json()["error"]
    statuses = [send(web, token, text="bus").status_code for _ in range(12)]
    assert 429 in statuses
    assert "Attendez une minute" in send(web, token, text="bus").json()["error"]


def test_html_in_a_message_is_kept_as_text(web: Web) -> None:
    token = consented(web)
    items = send(web, token, text="<img src=x onerror=alert(1)>").json()["items"]
    assert items[0]["text"] == "<img src=x onerror=alert(1)>"  # the widget uses textContent


def test_a_retried_send_runs_the_turn_once(web: Web) -> None:
    token = consented(web)
    first = send(web, token, text="bus", id="m-1").json()["items"]
    second = send(web, token, text="bus", id="m-1").json()["items"]
    assert first == second
    transcript = web.client.post("/chat/api/session", json={"token": token}).json()["items"]
    assert [i["text"] for i in transcript].count("bus") == 1


def test_the_panel_turns_right_to_left_when_the_person_chose_arabic(web: Web) -> None:
    token = consented(web)
    assert start(web)["ui"]["dir"] == "ltr"
    with web.context.sessions() as session:
        account = session.query(ChannelAccount).filter_by(channel="web").one()
        person = session.get(Person, account.person_id)
        assert person is not None
        person.locale = "ar"
        session.commit()
    ui = web.client.post("/chat/api/session", json={"token": token}).json()["ui"]
    assert ui["dir"] == "rtl" and ui["lang"] == "ar"


def test_an_erased_person_leaves_no_transcript_behind(web: Web) -> None:
    token = consented(web)
    send(web, token, text="bus")
    with web.context.sessions() as session:
        account = session.query(ChannelAccount).filter_by(channel="web").one()
        person = session.get(Person, account.person_id)
        session.delete(person)
        session.commit()
    assert web.client.post("/chat/api/session", json={"token": token}).json()["items"] == []
    with web.context.sessions() as session:
        assert session.query(WebchatMessage).count() == 0


def test_a_stuck_panel_is_asked_to_reconnect_instead_of_growing_forever(web: Web) -> None:
    chat = web.parts.chat
    stuck, fine = chat.subscribe("v-stuck"), chat.subscribe("v-fine")
    for i in range(250):
        chat._publish("v-stuck", [{"id": i, "role": "bot", "text": "x"}])
    chat._publish("v-fine", [{"id": 1, "role": "bot", "text": "x"}])
    assert stuck.qsize() == 1 and stuck.get_nowait() is None  # reconnect, then the transcript
    assert fine.get_nowait() == {"id": 1, "role": "bot", "text": "x"}
    assert chat.open_panels == 1
