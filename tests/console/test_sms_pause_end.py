"""« Reprendre les SMS maintenant »: an admin ends the SMS pause early from the banner every
page shows (credits bought); CSRF-checked, audited; the rows that waited go at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from starlette.testclient import TestClient

from capabilities.assistant.assistant import Assistant
from core.clock import FrozenClock
from core.messages import Reply
from store import channel_pauses
from store.console_models import AuditEntry
from store.outbox import OutboxMessage, enqueue
from tests.console.conftest import csrf_of, post, sign_in

BUTTON = "Reprendre les SMS maintenant"
BANNER = "Les SMS sont en pause"


def paused_with_rows(assistant: Assistant, clock: FrozenClock) -> None:
    """The SMS paused for an hour: a row waiting for its end, one put back by a 429 before
    it, one planned for later in the hour."""
    until = clock() + timedelta(hours=1)
    soon = clock() + timedelta(minutes=59)
    later = clock() + timedelta(minutes=30)
    with assistant.sessions() as session:
        channel_pauses.pause(session, "sms", until, "Brevo 402", clock())
        for key, when in (("waits", until), ("back", soon), ("later", later)):
            enqueue(
                session,
                key=key,
                person_id=None,
                rule="relay",
                replies=[Reply(text="Bonjour")],
                not_before=when,
            )
        session.flush()
        back = session.scalars(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == "back")
        ).one()
        back.last_error = "retry after 60.0 s"
        session.commit()


def due(assistant: Assistant) -> dict[str, object]:
    with assistant.sessions() as session:
        rows = session.execute(select(OutboxMessage.idempotency_key, OutboxMessage.not_before))
        return {str(key): when for key, when in rows}


def test_a_counsellor_sees_the_banner_without_the_button_and_cannot_end_the_pause(
    assistant: Assistant, client: TestClient, add_staff: Callable[..., int], clock: FrozenClock
) -> None:
    add_staff("Claire Martin", "claire@example.org")
    assert sign_in(client, "claire@example.org") == 303
    paused_with_rows(assistant, clock)
    html = client.get("/").text
    assert BANNER in html and BUTTON not in html
    assert post(client, "/sms/pause/end") == 403
    with assistant.sessions() as session:
        assert "sms" in channel_pauses.active(session, clock())


def test_an_admin_ends_the_pause_early_and_the_waiting_rows_go_now(
    assistant: Assistant,
    client: TestClient,
    add_staff: Callable[..., int],
    clock: FrozenClock,
    kicks: list[int],
) -> None:
    add_staff("Aïcha Benali", "aicha@example.org", role="admin")
    assert sign_in(client, "aicha@example.org") == 303
    paused_with_rows(assistant, clock)
    planned = due(assistant)["later"]
    for page in ("/", "/queue", "/indicators"):
        html = client.get(page).text
        assert BANNER in html and BUTTON in html, page
    # No CSRF token: refused, the pause stays.
    refused = client.post("/sms/pause/end", data={"next": "/"}, follow_redirects=False)
    assert refused.status_code == 403
    with assistant.sessions() as session:
        assert "sms" in channel_pauses.active(session, clock())
    token = csrf_of(client.get("/queue").text)
    ended = client.post(
        "/sms/pause/end", data={"csrf": token, "next": "/queue"}, follow_redirects=False
    )
    assert ended.status_code == 303 and ended.headers["location"] == "/queue"
    with assistant.sessions() as session:
        assert channel_pauses.active(session, clock()) == {}
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "sms_pause_end")
        ).one()
        assert entry.actor == "Aïcha Benali" and "11:00" in entry.target
    rows = due(assistant)
    assert rows["waits"] == clock() and rows["back"] == clock()
    assert rows["later"] == planned  # a message planned for later keeps its time
    assert kicks  # the dispatcher is woken
    html = client.get("/queue").text
    assert BANNER not in html and "Les SMS reprennent maintenant." in html
    # Again: nothing to end, said so; an outside address is not followed.
    token = csrf_of(html)
    again = client.post(
        "/sms/pause/end", data={"csrf": token, "next": "//evil.example"}, follow_redirects=False
    )
    assert again.status_code == 303 and again.headers["location"] == "/"
    assert "Les SMS n&#39;étaient pas en pause." in client.get("/").text
