"""Who answered from the staff Telegram group: a linked console account, or a precise name.

A counsellor links their Telegram account with ``/lier <code>`` (code from "Mon compte") or
an admin sets the id; replies then carry their staff id (hand-off ``human`` state, transcript,
console). Unlinked: "first name @username (Telegram id)", never just a first name.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from capabilities.assistant.assistant import Assistant
from capabilities.handoff.relay import StaffRelay
from capabilities.handoff.staff_identity import (
    label_of,
    link,
    link_with_code,
    new_link_code,
    remember,
)
from core.clock import FrozenClock
from core.messages import Incoming, Kind
from store.console_models import AuditEntry, HandoffTransition, StaffNote, TelegramSender
from store.db import SessionFactory, make_engine, make_session_factory
from store.migrate import upgrade
from store.models import Conversation, MessageLog
from store.staff import Staff
from tests.chat import Chat
from tests.console.conftest import STAFF_CHAT, csrf_of, post, sign_in
from tests.console.fakes import RecordingStaffGroup
from tests.pg import temporary_database

KARIM_TG = 4242


_updates = iter(range(100, 10_000))


def karim_says(thread: int | None, text: str, username: str = "karim_b") -> Incoming:
    """Karim writes in the group (in a person's topic, or in the general thread)."""
    return Incoming(
        "telegram",
        f"{STAFF_CHAT}:{thread}" if thread is not None else str(STAFF_CHAT),
        Kind.COMMAND if text.startswith("/") else Kind.TEXT,
        text=text,
        update_id=next(_updates),
        display_name="Karim",
        sender_id=KARIM_TG,
        sender_username=username,
    )


async def waiting_person(chat: Chat, group: RecordingStaffGroup) -> int:
    await chat.consent()
    await chat.say("je veux un conseiller")
    return next(iter(group.topics))


def code_for(assistant: Assistant, staff_id: int, clock: FrozenClock) -> str:
    with assistant.sessions() as session:
        code = new_link_code(session, staff_id, clock())
        session.commit()
        return code


def log_authors(assistant: Assistant) -> list[str]:
    with assistant.sessions() as session:
        rows = session.scalars(
            select(MessageLog.author).where(MessageLog.author.startswith("counsellor"))
        )
        return list(rows)


async def test_an_unlinked_counsellor_is_named_precisely_not_by_first_name_only(
    chat: Chat,
    relay: StaffRelay,
    group: RecordingStaffGroup,
    client: TestClient,
    add_staff: Callable[..., int],
) -> None:
    thread = await waiting_person(chat, group)
    assert await relay.handle(karim_says(thread, "Bonjour, je regarde.")) == []
    with chat.assistant.sessions() as session:
        conversation = session.scalars(select(Conversation)).one()
        assert (conversation.handoff, conversation.handoff_by) == ("human", "telegram:4242")
        sender = session.get(TelegramSender, KARIM_TG)
        assert sender is not None and (sender.first_name, sender.username) == ("Karim", "karim_b")
    assert log_authors(chat.assistant) == ["counsellor:telegram:4242"]
    answer = await relay.handle(karim_says(thread, "/resolve"))
    assert answer[0].text.startswith("Clos par Karim @karim_b (Telegram 4242).")
    add_staff("Anne Admin", "anne@example.org", role="admin")
    assert sign_in(client, "anne@example.org") == 303
    page = client.get("/conversations/1").text
    assert "<bdi>Karim @karim_b (Telegram 4242)</bdi> · depuis le groupe Telegram" in page
    admin = client.get("/admin").text
    assert "Karim @karim_b (Telegram 4242)" in admin  # offered for linking


async def test_lier_links_the_account_and_replies_then_carry_the_staff_id(
    chat: Chat,
    relay: StaffRelay,
    group: RecordingStaffGroup,
    client: TestClient,
    add_staff: Callable[..., int],
    clock: FrozenClock,
) -> None:
    karim = add_staff("Karim Benali", "karim@example.org")
    thread = await waiting_person(chat, group)
    await relay.handle(karim_says(thread, "Je regarde."))  # before linking
    code = code_for(chat.assistant, karim, clock)
    answer = await relay.handle(karim_says(None, f"/lier {code.lower()}"))
    assert answer[0].text.startswith("Compte Telegram relié à Karim Benali")
    again = await relay.handle(karim_says(None, f"/lier {code}"))
    assert "Code inconnu ou expiré" in again[0].text  # one use only
    await relay.handle(karim_says(thread, "C'est Karim, votre conseiller."))
    await relay.handle(karim_says(thread, "/note rappeler lundi"))
    with chat.assistant.sessions() as session:
        assert session.get(Staff, karim).telegram_user_id == KARIM_TG  # type: ignore[union-attr]
        conversation = session.scalars(select(Conversation)).one()
        assert (conversation.handoff, conversation.handoff_by) == ("human", f"staff:{karim}")
        taken = session.scalars(
            select(HandoffTransition.by).order_by(HandoffTransition.id.desc()).limit(1)
        ).one()
        assert taken == f"staff:{karim}"  # the hand-off records the linked staff id
        note = session.scalars(select(StaffNote)).one()
        assert (note.staff_id, note.author) == (karim, "Karim Benali")
    assert log_authors(chat.assistant) == ["counsellor:telegram:4242", f"counsellor:{karim}"]
    # the console: Karim holds the conversation, and both replies are named after him
    assert sign_in(client, "karim@example.org") == 303
    queue = client.get("/").text
    assert "Karim Benali" in queue
    page = client.get("/conversations/1").text
    assert page.count("<bdi>Karim Benali</bdi> · depuis le groupe Telegram") == 1
    assert (
        "<bdi>Karim Benali (Telegram)</bdi> · depuis le groupe Telegram" in page
    )  # the earlier reply


async def test_an_expired_or_unknown_code_links_nothing(
    chat: Chat,
    relay: StaffRelay,
    add_staff: Callable[..., int],
    clock: FrozenClock,
) -> None:
    karim = add_staff("Karim Benali", "karim@example.org")
    code = code_for(chat.assistant, karim, clock)
    clock.advance(minutes=16)
    for text in (f"/lier {code}", "/lier AAAAAAAA", "/lier"):
        answer = await relay.handle(karim_says(None, text))
        assert "Code inconnu ou expiré" in answer[0].text
    with chat.assistant.sessions() as session:
        assert session.get(Staff, karim).telegram_user_id is None  # type: ignore[union-attr]


def test_mon_compte_shows_a_one_time_code_and_unlinks(
    client: TestClient, assistant: Assistant, add_staff: Callable[..., int]
) -> None:
    karim = add_staff("Karim Benali", "karim@example.org")
    assert sign_in(client, "karim@example.org") == 303
    assert "Pas encore relié." in client.get("/account").text
    assert post(client, "/account/telegram/code", page="/account") == 303
    page = client.get("/account").text
    code = page.split('<code id="code-liaison">/lier ', 1)[1].split("<", 1)[0]
    assert len(code) == 8
    assert 'id="code-liaison"' not in client.get("/account").text  # shown once
    assert client.post("/account/telegram/code", data={}).status_code == 403  # no CSRF token
    with assistant.sessions() as session:
        session.get(Staff, karim).telegram_user_id = KARIM_TG  # type: ignore[union-attr]
        session.commit()
    assert "Relié : Karim Benali (Telegram)" in client.get("/account").text
    assert post(client, "/account/telegram/unlink", page="/account") == 303
    assert "Compte Telegram délié." in client.get("/account").text
    with assistant.sessions() as session:
        assert session.get(Staff, karim).telegram_user_id is None  # type: ignore[union-attr]
        targets = session.scalars(select(AuditEntry.target).where(AuditEntry.action == "telegram"))
        assert list(targets) == ["code de liaison créé", f"déliaison {KARIM_TG}"]


def test_admins_set_a_telegram_id_and_counsellors_cannot(
    client: TestClient, assistant: Assistant, add_staff: Callable[..., int]
) -> None:
    karim = add_staff("Karim Benali", "karim@example.org")
    ines = add_staff("Inès Martin", "ines@example.org")
    add_staff("Anne Admin", "anne@example.org", role="admin")
    url = f"/admin/staff/{karim}/telegram"
    assert sign_in(client, "karim@example.org") == 303
    assert post(client, url, {"telegram_user_id": str(KARIM_TG)}) == 403
    assert sign_in(client, "anne@example.org") == 303
    assert client.post(url, data={"telegram_user_id": "1"}).status_code == 403  # no CSRF
    assert post(client, url, {"telegram_user_id": "karim"}, page="/admin") == 303
    assert "Identifiant Telegram invalide" in client.get("/admin").text
    assert post(client, url, {"telegram_user_id": str(KARIM_TG)}, page="/admin") == 303
    assert "Karim Benali : compte Telegram relié." in client.get("/admin").text
    other = f"/admin/staff/{ines}/telegram"
    assert post(client, other, {"telegram_user_id": str(KARIM_TG)}, page="/admin") == 303
    assert "déjà relié à Karim Benali" in client.get("/admin").text
    assert post(client, url, {"telegram_user_id": ""}, page="/admin") == 303
    with assistant.sessions() as session:
        assert session.get(Staff, karim).telegram_user_id is None  # type: ignore[union-attr]
        assert session.get(Staff, ines).telegram_user_id is None  # type: ignore[union-attr]
        targets = list(
            session.scalars(select(AuditEntry.target).where(AuditEntry.action == "telegram"))
        )
    assert targets == ["karim@example.org ← Telegram 4242", "karim@example.org délié"]
    assert csrf_of(client.get("/admin").text)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SessionFactory]:
    """A migrated database, SQLite or PostgreSQL."""
    with contextlib.ExitStack() as stack:
        url = (
            f"sqlite:///{tmp_path / 'ids.db'}"
            if request.param == "sqlite"
            else stack.enter_context(temporary_database("identity"))
        )
        engine = make_engine(url)
        upgrade(engine)
        yield make_session_factory(engine)
        engine.dispose()


def test_senders_are_remembered_and_codes_link_on_both_databases(
    any_sessions: SessionFactory, clock: FrozenClock
) -> None:
    with any_sessions() as session:
        karim = Staff(name="Karim Benali", email="karim@example.org")
        ines = Staff(name="Inès Martin", email="ines@example.org", telegram_user_id=KARIM_TG)
        session.add_all([karim, ines])
        session.commit()
        remember(session, karim_says(1, "bonjour"), clock())
        remember(session, karim_says(1, "re", username="karim_d"), clock())  # renamed
        session.commit()
        assert label_of(session, "telegram:4242") == "Inès Martin (Telegram)"
        code = new_link_code(session, karim.id, clock())
        session.commit()
        assert link_with_code(session, code, KARIM_TG, clock()) == karim
        session.commit()
        assert (karim.telegram_user_id, ines.telegram_user_id) == (KARIM_TG, None)  # moved
        link(session, karim, None)
        session.commit()
        assert label_of(session, "telegram:4242") == "Karim @karim_d (Telegram 4242)"
