"""The console over HTTP: sign-in, CSRF, throttle, roles, queue, answer, resolve, exports."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from starlette.testclient import TestClient

from core.clock import FrozenClock
from store.console_models import AuditEntry, StaffNote
from store.models import Conversation
from tests.chat import Chat
from tests.console.conftest import FakeIntegrations, csrf_of, post, sign_in
from tests.console.fakes import relayed_texts


async def waiting_person(chat: Chat) -> int:
    await chat.consent()
    await chat.say("bus")
    await chat.say("je veux un conseiller")
    await chat.say("j'ai perdu ma carte")
    return 1


def test_pages_need_a_signed_in_account(client: TestClient) -> None:
    for url in ("/", "/conversations/1", "/caseload", "/day", "/indicators", "/admin"):
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/login"


def test_sign_in_sets_a_lax_http_only_session_cookie(
    client: TestClient, add_staff: Callable[..., int]
) -> None:
    add_staff("Karim", "karim@example.org")
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "email": "Karim@Example.org",
            "password": "correct horse battery",
            "csrf": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "max-age=28800" in cookie
    assert "File d'attente" in client.get("/").text
    assert client.get("/").headers["x-frame-options"] == "DENY"


def test_wrong_password_then_five_in_a_row_are_throttled(
    client: TestClient, add_staff: Callable[..., int], clock: FrozenClock
) -> None:
    add_staff("Karim", "karim@example.org")
    assert sign_in(client, "karim@example.org", "nope") == 401
    for _ in range(4):
        assert sign_in(client, "karim@example.org", "nope") == 401
    assert sign_in(client, "karim@example.org") == 429  # even the right password
    clock.advance(minutes=16)
    assert sign_in(client, "karim@example.org") == 303


def test_a_form_without_csrf_token_is_refused(
    client: TestClient, add_staff: Callable[..., int]
) -> None:
    add_staff("Karim", "karim@example.org")
    page = client.get("/login")
    refused = client.post(
        "/login", data={"email": "karim@example.org", "password": "correct horse battery"}
    )
    assert refused.status_code == 403 and "Formulaire expiré" in refused.text
    assert sign_in(client, "karim@example.org") == 303
    assert client.post("/logout", data={"csrf": "forged"}).status_code == 403
    assert page.status_code == 200


async def test_queue_take_answer_note_resolve(
    chat: Chat, client: TestClient, add_staff: Callable[..., int], kicks: list[int]
) -> None:
    person = await waiting_person(chat)
    karim = add_staff("Karim", "karim@example.org")
    assert sign_in(client, "karim@example.org") == 303
    queue = client.get("/").text
    assert "Samia" in queue and "a demandé un conseiller" in queue and "En attente" in queue
    page = client.get(f"/conversations/{person}").text
    assert "j&#39;ai perdu ma carte" in page and "ask_transport" in page
    assert "Bouton « J&#39;accepte »" in page and "consent:yes" not in page
    assert post(client, f"/conversations/{person}/take", page=f"/conversations/{person}") == 303
    data = {"text": "Bonjour Samia, je m'en occupe."}
    assert post(client, f"/conversations/{person}/reply", data, f"/conversations/{person}") == 303
    assert relayed_texts(chat.assistant, person) == ["Bonjour Samia, je m'en occupe."]
    assert kicks == [1]
    page = client.get(f"/conversations/{person}").text
    # no Telegram token: local mode, nothing can deliver it, and the console says so
    assert "Mode local : aucun canal ne peut remettre ce message" in page
    assert "Message envoyé" not in page and "en attente d&#39;envoi" in page
    assert "Karim" in page and "Avec un conseiller" in page
    note = {"text": "Rappeler jeudi"}
    assert post(client, f"/conversations/{person}/note", note, f"/conversations/{person}") == 303
    # the bot stays silent while the counsellor holds the conversation
    await chat.say("merci")
    assert chat.last == []
    assert post(client, f"/conversations/{person}/resolve", page=f"/conversations/{person}") == 303
    assert "terminé cet échange" in relayed_texts(chat.assistant, person)[-1]
    await chat.say("bus")
    assert "DK'Bus" in chat.text
    with chat.assistant.sessions() as session:
        assert session.scalars(select(Conversation)).one().handoff == "bot"
        assert session.scalars(select(StaffNote)).one().staff_id == karim
        actions = [row.action for row in session.scalars(select(AuditEntry))]
    assert {"login", "view", "take", "reply", "resolve"} <= set(actions)


async def test_a_counsellor_cannot_open_another_counsellors_participant(
    chat: Chat, client: TestClient, add_staff: Callable[..., int], integrations: FakeIntegrations
) -> None:
    person = await waiting_person(chat)
    add_staff("Karim", "karim@example.org")
    other = add_staff("Inès", "ines@example.org")
    integrations.owners[person] = other
    assert sign_in(client, "karim@example.org") == 303
    response = client.get(f"/conversations/{person}")
    assert response.status_code == 403 and "autre conseiller" in response.text
    assert "Samia" not in client.get("/queue").text  # not in Karim's queue either
    data = {"text": "coucou", "csrf": csrf_of(client.get("/").text)}
    assert client.post(f"/conversations/{person}/reply", data=data).status_code == 403
    assert relayed_texts(chat.assistant) == []
    assert client.get("/conversations/999").status_code == 404


async def test_admin_sees_everything_assigns_and_exports(
    chat: Chat, client: TestClient, add_staff: Callable[..., int]
) -> None:
    person = await waiting_person(chat)
    add_staff("Admin", "admin@example.org", role="admin")
    karim = add_staff("Karim", "karim@example.org")
    assert sign_in(client, "admin@example.org") == 303
    assert post(client, "/queue/assign", {"mode": "round-robin"}) == 303
    assert "Karim" in client.get("/").text or "Admin" in client.get("/").text
    data = {"staff_id": str(karim)}
    assert post(client, f"/conversations/{person}/assign", data) == 303
    assert "Confié à Karim" in client.get("/").text
    csv = client.get("/exports/indicateurs.csv")
    assert csv.status_code == 200 and csv.text.startswith("\ufeffsemaine;conversations")
    assert "export" in client.get("/audit").text
    indicators = client.get("/indicators").text
    assert "<svg" in indicators and "Taux de passage" in indicators
    assert post(client, "/admin/canned", {"name": "RDV", "text": "Venez mardi."}, "/admin") == 303
    assert "rdv" in client.get("/admin").text


async def test_counsellors_cannot_export_or_administer(
    client: TestClient, add_staff: Callable[..., int]
) -> None:
    add_staff("Karim", "karim@example.org")
    assert sign_in(client, "karim@example.org") == 303
    assert client.get("/exports/indicateurs.csv").status_code == 403
    assert client.get("/admin").status_code == 403
    assert client.get("/audit").status_code == 403


async def test_day_view_marks_attendance_and_caseload_enrols(
    client: TestClient, add_staff: Callable[..., int], integrations: FakeIntegrations
) -> None:
    karim = add_staff("Karim", "karim@example.org")
    assert sign_in(client, "karim@example.org") == 303
    day = client.get("/day").text
    assert "Espace Saint-Pol-sur-Mer" in day and "Samia B." in day
    assert post(client, "/appointments/41/attendance", {"status": "noshow"}, "/day") == 303
    assert integrations.marks == [(41, "noshow", karim)]
    assert "Émargement enregistré : Absent(e)" in client.get("/day").text
    assert post(client, "/appointments/41/attendance", {"status": "bogus"}, "/day") == 400
    assert post(client, "/appointments/99/attendance", {"status": "seen"}, "/day") == 404
    integrations.owners.update({5: karim, 6: karim, 7: 999})
    caseload = client.get("/caseload").text
    assert caseload.index("Participant 6") < caseload.index("Participant 5")  # overdue first
    assert "Participant 7" not in caseload
    enrolment = {"label": "M. Dupont", "orientation_on": "2026-11-20"}
    assert post(client, "/caseload/enrol", enrolment, "/caseload") == 303
    page = client.get("/caseload").text
    assert "inv_ABC123" in page and "TELEGRAM_BOT_USERNAME" in page  # no bot name: no QR code
