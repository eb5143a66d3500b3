"""The agenda admin pages over HTTP, on the shipped configuration (clock: Tue 24 Nov 10:00).

Admins only; every form has a CSRF token, refuses bad input beside the field, audits what
it saved, and the bot offers the new slots at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from capabilities.appointments.booking import book
from capabilities.appointments.config import load_config
from capabilities.assistant.assistant import Assistant
from core.clock import FrozenClock
from store.appointments import Booking, Closure, Espace, Motif, OpeningPeriod
from store.console_models import AuditEntry
from store.models import Person
from store.staff import Staff
from tests.chat import Chat
from tests.console.conftest import csrf_of, sign_in

GARE_1 = "conseil.ga1@example.invalid"
PERIOD = {
    "espace_id": "gare",
    "weekday": "5",
    "kind": "individual",
    "start": "09:00",
    "end": "12:00",
}
FORMS = (  # every agenda form (period 1 and closure 1 come from the shipped files)
    "/admin/espaces/new",
    "/admin/espaces/gare/edit",
    "/admin/motifs/new",
    "/admin/motifs/info/edit",
    "/admin/periods/new",
    "/admin/periods/1/edit",
    "/admin/periods/1/remove",
    "/admin/closures/new",
    "/admin/closures/1/remove",
)


@pytest.fixture
def admin(client: TestClient, add_staff: Callable[..., int]) -> int:
    staff_id = add_staff("Claire Admin", "claire@example.org", role="admin")
    assert sign_in(client, "claire@example.org") == 303
    return staff_id


def staff_id(assistant: Assistant, email: str) -> int:
    with assistant.sessions() as session:
        found = session.scalars(select(Staff.id).where(Staff.email == email)).one()
        return int(found)


def submit(
    client: TestClient, url: str, data: dict[str, str | list[str]], page: str | None = None
) -> tuple[int, str]:
    """Post a form with the token of its page, as the browser does."""
    token = csrf_of(client.get(page or url).text)
    response = client.post(url, data={**data, "csrf": token}, follow_redirects=False)
    return response.status_code, response.text


def count(assistant: Assistant, model: type[object]) -> int:
    with assistant.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def audit_targets(assistant: Assistant) -> list[str]:
    with assistant.sessions() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action == "agenda"))
        return [row.target for row in rows]


def book_thursday(assistant: Assistant, clock: FrozenClock) -> int:
    with assistant.sessions() as session:
        person = Person(consent="given", display_name="Samia")
        session.add(person)
        session.flush()
        booking = book(
            session,
            person_id=person.id,
            espace_id="gare",
            motif_id="info",
            start=datetime(2026, 11, 26, 8, 0, tzinfo=UTC),  # Thursday 9:00 in Paris
            now=clock(),
            rules=load_config().rules,
        )
        session.commit()
        return booking.id


def test_counsellors_are_refused_every_agenda_page(
    client: TestClient, add_staff: Callable[..., int], assistant: Assistant
) -> None:
    add_staff("Karim Benali", "karim@example.org")
    assert sign_in(client, "karim@example.org") == 303
    for url in ("/admin/agenda", "/admin/periods/new", "/admin/espaces/gare/edit"):
        assert client.get(url).status_code == 403
    token = csrf_of(client.get("/").text)
    for url in FORMS:
        posted = client.post(url, data={**PERIOD, "csrf": token}, follow_redirects=False)
        assert posted.status_code == 403
    assert "Réservé aux administrateurs" in posted.text
    assert audit_targets(assistant) == []


def test_a_form_without_its_csrf_token_is_refused(
    client: TestClient, admin: int, assistant: Assistant
) -> None:
    before = count(assistant, OpeningPeriod)
    for url in FORMS:
        response = client.post(url, data=PERIOD, follow_redirects=False)
        assert response.status_code == 403
        assert "Formulaire expiré ou invalide" in response.text
    assert count(assistant, OpeningPeriod) == before
    with assistant.sessions() as session:
        assert session.get(OpeningPeriod, 1).active  # type: ignore[union-attr]
        assert all(c.active for c in session.scalars(select(Closure)))


async def test_an_admin_adds_saturday_mornings_and_the_bot_offers_them_at_once(
    client: TestClient, admin: int, assistant: Assistant
) -> None:
    chat = Chat(assistant)
    await chat.consent()
    await chat.say("je veux un rendez-vous")
    await chat.press_label("Information sur les métiers")
    await chat.press_label("gare")
    assert "samedi" not in " ".join(b.label for b in chat.buttons)  # the gare: weekdays only

    agent = staff_id(assistant, GARE_1)
    status, _ = submit(client, "/admin/periods/new", {**PERIOD, "staff": [str(agent)]})
    assert status == 303
    page = client.get("/admin/agenda").text
    assert "Plage enregistrée : le samedi de 9 h 00 à 12 h 00." in page
    assert "Conseiller·e 1 Gare (exemple)" in page
    with assistant.sessions() as session:
        row = session.scalars(select(OpeningPeriod).where(OpeningPeriod.weekday == 5)).one()
        assert (row.espace_id, row.managed_by, row.example) == ("gare", "console", False)
    assert audit_targets(assistant) == [f"plage {row.id} créée : gare samedi 9 h 00-12 h 00"]

    await chat.press_label("Retour au menu")  # start again: the agenda was reloaded
    await chat.say("je veux un rendez-vous")
    await chat.press_label("Information sur les métiers")
    await chat.press_label("gare")
    await chat.press_label("samedi 28 novembre")
    assert [b.label for b in chat.buttons][:3] == ["9 h 00", "9 h 30", "10 h 00"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start": "12:00", "end": "09:00"}, "L'heure de fin doit être après l'heure de début."),
        ({"start": "25:00"}, "Heure invalide (ex. 09:30)."),
        ({"staff": ["999"]}, "Membre de l'équipe inconnu ou désactivé (n° 999)."),
        ({"staff": []}, "Choisissez au moins une personne présente"),
        ({"weekday": "0", "start": "11:00", "end": "13:00"}, "est déjà présent(e) le lundi"),
        ({"kind": "collective", "motif_id": "info"}, "Choisissez un atelier collectif actif."),
        (
            {"kind": "collective", "motif_id": "joblabo", "capacity": "0"},
            "La capacité doit être d'au moins 1 place.",
        ),
        ({"valid_from": "31/02/2027"}, "Date invalide (ex. 24/12/2026)."),
    ],
)
def test_a_wrong_period_is_shown_again_with_the_reason_and_nothing_saved(
    client: TestClient,
    admin: int,
    assistant: Assistant,
    changes: dict[str, str | list[str]],
    message: str,
) -> None:
    agent = staff_id(assistant, GARE_1)
    before = count(assistant, OpeningPeriod)
    status, page = submit(
        client, "/admin/periods/new", {**PERIOD, "staff": [str(agent)], **changes}
    )
    assert status == 400
    shown = message.replace("'", "&#39;")
    assert 'role="alert"' in page
    assert page.count(shown) == 2  # in the summary, and beside its field
    assert 'value="' in page and "Enregistrer la plage" in page  # the typed values are kept
    assert count(assistant, OpeningPeriod) == before
    assert audit_targets(assistant) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"id": "cv", "label": "CV", "duration_min": "-5", "kind": "individual"},
            "La durée doit être un nombre de minutes positif",
        ),
        (
            {"id": "cv", "label": "CV", "duration_min": "trente", "kind": "individual"},
            "Nombre entier attendu.",
        ),
        (
            {
                "id": "cv",
                "label": "CV",
                "duration_min": "60",
                "kind": "collective",
                "capacity": "0",
            },
            "Un atelier collectif a une capacité d&#39;au moins 1 place.",
        ),
        (
            {"id": "info", "label": "CV", "duration_min": "60", "kind": "individual"},
            "Cet identifiant est déjà pris.",
        ),
    ],
)
def test_a_wrong_motif_is_refused(
    client: TestClient, admin: int, assistant: Assistant, data: dict[str, str], message: str
) -> None:
    before = count(assistant, Motif)
    status, page = submit(client, "/admin/motifs/new", data)
    assert status == 400 and message in page
    assert count(assistant, Motif) == before


def test_motifs_are_created_and_edited(
    client: TestClient, admin: int, assistant: Assistant
) -> None:
    data = {
        "id": "cv",
        "label": "Atelier CV",
        "duration_min": "90",
        "kind": "collective",
        "capacity": "6",
        "bring": "Votre CV\n\nUne clé USB",
        "physical": "1",
        "active": "1",
    }
    assert submit(client, "/admin/motifs/new", data)[0] == 303
    data.update(label="Atelier CV et lettre", capacity="8")
    assert submit(client, "/admin/motifs/cv/edit", data)[0] == 303
    with assistant.sessions() as session:
        motif = session.get(Motif, "cv")
        assert motif is not None
        assert (motif.label, motif.capacity, motif.bring) == (
            "Atelier CV et lettre",
            8,
            ["Votre CV", "Une clé USB"],
        )
        assert motif.managed_by == "console" and motif.active
    assert audit_targets(assistant) == ["motif cv créé", "motif cv modifié"]
    assert client.get("/admin/motifs/nope/edit").status_code == 404


async def test_the_details_of_an_espace_reach_the_bot_and_empty_means_unknown(
    client: TestClient, admin: int, assistant: Assistant
) -> None:
    page = client.get("/admin/espaces/gare/edit").text
    assert "Cet Espace vient du fichier config/espaces.yaml" in page
    espace = {
        "name": "Espace 20 000 emplois de la gare de Dunkerque",
        "commune": "Dunkerque",
        "address": "Place de la gare, 59140 Dunkerque",
        "phone": "03 28 00 00 00",
        "opening_hours": "",
        "active": "1",
    }
    status, page = submit(client, "/admin/espaces/gare/edit", {**espace, "phone": "appelez"})
    assert status == 400 and "Numéro de téléphone invalide" in page
    assert submit(client, "/admin/espaces/gare/edit", espace)[0] == 303
    chat = Chat(assistant)
    await chat.consent()
    await chat.press("card:espaces.places")
    text = chat.text
    assert "Adresse : Place de la gare, 59140 Dunkerque" in text
    assert "Téléphone : 03 28 00 00 00" in text
    assert "Horaires : je ne les ai pas encore." in text  # left empty: unknown, said so
    assert "Un conseiller peut vous donner ce qui manque." in text
    with assistant.sessions() as session:
        gare = session.get(Espace, "gare")
        assert gare is not None and gare.managed_by == "console" and gare.opening_hours is None
    assert audit_targets(assistant) == ["Espace gare modifié"]


def test_closing_an_espace_with_bookings_asks_for_the_number_first(
    client: TestClient, admin: int, assistant: Assistant, clock: FrozenClock
) -> None:
    book_thursday(assistant, clock)
    closed = {"name": "Espace de la gare", "commune": "Dunkerque"}  # "active" unticked
    status, page = submit(client, "/admin/espaces/gare/edit", closed)
    assert status == 409
    assert "1 rendez-vous déjà pris (le 26/11/2026 à 9 h 00)" in page
    assert 'name="confirm" value="1"' in page
    assert submit(client, "/admin/espaces/gare/edit", {**closed, "confirm": "1"})[0] == 303
    with assistant.sessions() as session:
        assert session.get(Espace, "gare").active is False  # type: ignore[union-attr]
        assert session.scalars(select(Booking.status)).one() == "booked"
    assert audit_targets(assistant) == ["Espace gare fermé"]


def test_removing_a_period_with_bookings_says_how_many_and_keeps_them(
    client: TestClient, admin: int, assistant: Assistant, clock: FrozenClock
) -> None:
    booking = book_thursday(assistant, clock)
    with assistant.sessions() as session:
        thursday = session.scalars(
            select(OpeningPeriod.id).where(
                OpeningPeriod.espace_id == "gare",
                OpeningPeriod.weekday == 3,
                OpeningPeriod.motif_id.is_(None),
                OpeningPeriod.start == datetime(2000, 1, 1, 9).time(),
            )
        ).one()
    url = f"/admin/periods/{thursday}/remove"
    status, page = submit(client, url, {}, page="/admin/agenda")
    assert status == 409
    assert "1 rendez-vous déjà pris" in page and "Supprimer la plage" in page
    assert submit(client, url, {"confirm": "1"}, page="/admin/agenda")[0] == 303
    with assistant.sessions() as session:
        row = session.get(OpeningPeriod, thursday)
        assert row is not None and not row.active and row.managed_by == "console"
        assert session.get(Booking, booking).status == "booked"  # type: ignore[union-attr]
    assert audit_targets(assistant) == [
        f"plage {thursday} supprimée : gare jeudi 9 h 00-12 h 00 (1 rdv conservé)"
    ]
    assert (
        client.post(url, data={"csrf": csrf_of(client.get("/admin/agenda").text)}).status_code
        == 404
    )


def test_closures_are_added_checked_and_lifted(
    client: TestClient, admin: int, assistant: Assistant
) -> None:
    before = count(assistant, Closure)
    status, page = submit(client, "/admin/closures/new", {"espace_id": "gare", "day": "2026-11-02"})
    assert status == 400 and "Cette date est déjà passée." in page
    status, page = submit(
        client, "/admin/closures/new", {"espace_id": "gare", "day": "2026-12-02", "start": "14:00"}
    )
    assert status == 400 and "aucune des deux" in page
    closure = {"espace_id": "gare", "day": "02/12/2026", "reason": "Formation de l'équipe"}
    assert submit(client, "/admin/closures/new", closure)[0] == 303
    assert count(assistant, Closure) == before + 1
    page = client.get("/admin/agenda").text
    assert "02/12/2026 (toute la journée) : Formation de l&#39;équipe" in page
    with assistant.sessions() as session:
        row = session.scalars(select(Closure).where(Closure.reason.startswith("Formation"))).one()
    assert submit(client, f"/admin/closures/{row.id}/remove", {}, page="/admin/agenda")[0] == 303
    assert "Formation de l&#39;équipe" not in client.get("/admin/agenda").text
    assert audit_targets(assistant) == [
        f"fermeture {row.id} : gare 02/12/2026",
        f"fermeture {row.id} levée : gare 02/12/2026",
    ]
