"""The intake summary in the console: on the person's page, in the day view, corrected."""

from __future__ import annotations

from collections.abc import Callable

from starlette.testclient import TestClient

from console.integrations import AppointmentRow
from store.plan import PersonalPlan
from tests.chat import Chat
from tests.console.conftest import FakeIntegrations, post, sign_in


async def made_plan(chat: Chat) -> None:
    await chat.consent()
    await chat.press("plan:start")
    for label in (
        "Une formation",
        "26 à 49",
        "Aucun diplôme",
        "Non",
        "Oui, moins de 3 ans",
        "Inscrit",
    ):
        await chat.press_label(label)
    await chat.press_label("Passer")
    await chat.press_label("Me déplacer")
    await chat.press_label("Oui, gardez-le")


async def test_the_counsellor_sees_the_intake_and_corrects_it_visibly(
    chat: Chat, client: TestClient, add_staff: Callable[..., int], integrations: FakeIntegrations
) -> None:
    await made_plan(chat)
    await chat.say("je veux un conseiller")  # in the queue: the counsellor may open the page
    add_staff("Karim Benali", "karim@example.org")
    sign_in(client, "karim@example.org")
    page = client.get("/conversations/1").text
    assert "Faire le point" in page
    assert "Aucun diplôme" in page and "Oui, moins de 3 ans" in page
    assert "Fiche : Crèches AVIP" in page
    assert "Fiche : Aides au permis" in page
    status = post(
        client, "/conversations/1/intake", {"answer": "diploma", "value": "cap"}, "/conversations/1"
    )
    assert status == 303
    page = client.get("/conversations/1").text
    assert "corrigé par <bdi>Karim Benali</bdi>" in page
    assert "<s>Aucun diplôme</s>" in page  # what the person said stays visible
    assert (
        post(
            client,
            "/conversations/1/intake",
            {"answer": "diploma", "value": "phd"},
            "/conversations/1",
        )
        == 400
    )
    assert (
        post(
            client,
            "/conversations/1/intake",
            {"answer": "trades", "value": "x"},
            "/conversations/1",
        )
        == 400
    )
    post(
        client,
        "/conversations/1/intake",
        {"answer": "comment", "comment": "Garde à voir avec la CAF"},
        "/conversations/1",
    )
    assert "Garde à voir avec la CAF" in client.get("/conversations/1").text
    integrations.appointments.append(
        AppointmentRow(43, 1, "Espace gare", "10 h 00", "Samia", "Conseil")
    )
    day = client.get("/day").text
    assert "Faire le point : Une formation" in day and "CAP ou BEP" in day
    await chat.say("/mesdonnees")  # a command still answers while the person waits
    assert "corrigé par votre conseiller" in chat.text


async def test_the_weekly_indicators_count_plans_and_steps(
    chat: Chat, client: TestClient, add_staff: Callable[..., int]
) -> None:
    await made_plan(chat)
    await chat.press("plan:go:2")
    add_staff("Karim Benali", "karim@example.org")
    sign_in(client, "karim@example.org")
    page = client.get("/indicators/plans").text
    assert "Plans faits par semaine" in page
    assert "<td>1</td><td>5</td><td>1</td>" in page


async def test_no_plan_no_summary_and_erasure_removes_it(
    chat: Chat, client: TestClient, add_staff: Callable[..., int]
) -> None:
    await chat.consent()
    await chat.say("je veux un conseiller")
    add_staff("Karim Benali", "karim@example.org")
    sign_in(client, "karim@example.org")
    assert 'id="point"' not in client.get("/conversations/1").text
    status = post(
        client, "/conversations/1/intake", {"answer": "comment", "comment": "x"}, "/conversations/1"
    )
    assert status == 404
    with chat.assistant.sessions() as session:
        assert session.query(PersonalPlan).count() == 0
