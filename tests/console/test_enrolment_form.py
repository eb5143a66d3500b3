"""Enrolment from the console: name, orientation date, referent, channel; an invitation that
says it must be handed over; bad input shown again with a French error, nothing created."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import unescape

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from capabilities.assistant.assistant import Assistant
from console.live_integrations import LiveIntegrations
from core.clock import FrozenClock
from core.settings import Settings, load_settings
from store.programme import Participant
from tests.console.conftest import csrf_of, sign_in

BOT = "Emplois20000Bot"


@pytest.fixture
def integrations(clock: FrozenClock) -> LiveIntegrations:
    """The programme's real enrolment."""
    return LiveIntegrations(clock=clock, username=BOT)


def _enrol(client: TestClient, **fields: str) -> tuple[int, str]:
    token = csrf_of(client.get("/caseload").text)
    response = client.post("/caseload/enrol", data={**fields, "csrf": token})
    status = response.history[0].status_code if response.history else response.status_code
    return status, unescape(response.text)


def _participants(assistant: Assistant) -> list[Participant]:
    with assistant.sessions() as session:
        return list(session.scalars(select(Participant)))


class TestWithTheBotName:
    @pytest.fixture
    def settings(self, database_url: str) -> Settings:
        return load_settings(
            database_url=database_url,
            telegram_bot_token=None,
            rasa_url=None,
            telegram_bot_username=BOT,
        )

    def test_the_form_has_date_referent_and_channel(
        self, client: TestClient, add_staff: Callable[..., int]
    ) -> None:
        add_staff("Zoé Martin", "zoe@example.org")
        karim = add_staff("Karim Benali", "karim@example.org")
        assert sign_in(client, "karim@example.org") == 303
        page = unescape(client.get("/caseload").text)
        assert 'type="date"' in page and 'name="orientation_on"' in page and "required" in page
        assert (
            f'<option value="{karim}" selected>Karim Benali</option>' in page
        )  # the one signed in
        assert "Zoé Martin" in page
        assert 'name="channel" value="telegram" checked' in page
        assert "TELEGRAM_BOT_USERNAME" not in page

    def test_the_invitation_is_to_hand_over_with_its_link_and_qr(
        self, client: TestClient, assistant: Assistant, add_staff: Callable[..., int]
    ) -> None:
        zoe = add_staff("Zoé Martin", "zoe@example.org")
        add_staff("Karim Benali", "karim@example.org")
        assert sign_in(client, "karim@example.org") == 303
        status, page = _enrol(
            client,
            label="Samia Benali",
            orientation_on="2026-11-02",
            referent=str(zoe),
            channel="telegram",
        )
        assert status == 303
        assert "Invitation créée — à transmettre" in page
        assert "Rien n'est envoyé tout seul" in page
        assert f"https://t.me/{BOT}?start=" in page and 'class="qr"' in page and "<svg" in page
        (participant,) = _participants(assistant)
        assert participant.orientation_on == date(2026, 11, 2)
        assert participant.counsellor_id == zoe  # the referent chosen, not the one who typed


def test_without_the_bot_name_a_warning_and_no_fake_link_or_qr(
    client: TestClient, assistant: Assistant, add_staff: Callable[..., int]
) -> None:
    add_staff("Karim Benali", "karim@example.org")
    assert sign_in(client, "karim@example.org") == 303
    assert "TELEGRAM_BOT_USERNAME" in client.get("/caseload").text  # warned before, too
    status, page = _enrol(client, label="Samia Benali", orientation_on="2026-11-02")
    assert status == 303
    assert "Invitation créée — à transmettre" in page
    assert "Le nom du bot Telegram n'est pas configuré" in page
    assert "t.me/" not in page and "NOM_DU_BOT" not in page and 'class="qr"' not in page
    assert len(_participants(assistant)) == 1


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"orientation_on": ""}, "Indiquez la date d'orientation."),
        ({"orientation_on": "2026-13-45"}, "Date d'orientation invalide"),
        ({"orientation_on": "hier"}, "Date d'orientation invalide"),
        ({"orientation_on": "2026-12-25"}, "ne peut pas être après aujourd'hui"),
        ({"referent": "999"}, "Référent inconnu"),
        ({"referent": "abc"}, "Référent inconnu"),
        ({"label": "  "}, "Indiquez le nom"),
        ({"channel": "pigeon"}, "Canal inconnu"),
    ],
)
def test_bad_input_shows_the_form_again_and_creates_nothing(
    client: TestClient,
    assistant: Assistant,
    add_staff: Callable[..., int],
    fields: dict[str, str],
    error: str,
) -> None:
    add_staff("Karim Benali", "karim@example.org")
    assert sign_in(client, "karim@example.org") == 303
    data = {"label": "Samia Benali", "orientation_on": "2026-11-02", **fields}
    status, page = _enrol(client, **data)
    assert status == 400
    assert error in page and 'role="alert"' in page
    assert "Invitation créée" not in page
    if data["label"].strip():
        assert 'value="Samia Benali"' in page  # what was typed is kept
    assert _participants(assistant) == []
    with assistant.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Participant)) == 0
