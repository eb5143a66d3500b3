"""The queue and the conversation page: take, assign, answer, note, resolve."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from capabilities.handoff import queue as handoff_queue
from capabilities.handoff.queue import can_open, release, round_robin
from capabilities.handoff.relay import notify_resolved
from capabilities.handoff.staff_context import last_intents, reason_labels
from capabilities.handoff.state import counsellor_reply, resolve, take
from capabilities.handoff.transcript import (
    alert_of,
    delivery,
    history,
    notes,
    transcript,
    who_labels,
)
from capabilities.handoff.transcript import button_label as logged_button_label
from capabilities.plan.buttons import plan_button_label
from console.audit import audit
from console.views_intake import choices, intake_of
from console.views_sms import resume, sms_status
from console.web import (
    checked_form,
    flash,
    gettext,
    ngettext,
    page,
    person_id_of,
    render,
    state,
)
from core.i18n import N_
from store import repo_console, repo_media
from store import sms as sms_store
from store.console_models import CannedReply, StaffNote
from store.db import Session
from store.models import Conversation, Person
from store.staff import Staff

SMS_STATES = {"pending": N_("en cours d'envoi"), "sent": N_("reçu"), "failed": N_("non reçu")}

STATE_LABELS = {
    "bot": N_("Assistant"),
    "waiting": N_("En attente"),
    "human": N_("Avec un conseiller"),
    "resolved": N_("Résolu"),
}


def state_labels() -> dict[str, str]:
    """The hand-off states as staff read them (``STAFF_LANGUAGE``)."""
    return {key: gettext(label) for key, label in STATE_LABELS.items()}


def button_label(payload: str | None) -> str:
    """The label the person saw on a button they pressed (the plan's included)."""
    return plan_button_label(payload or "") or logged_button_label(payload)


def conversation_of(session: Session, request: Request, staff: Staff) -> Conversation:
    person_id = person_id_of(request)
    if session.get(Person, person_id) is None:
        raise HTTPException(404, gettext("Cette personne n'existe pas (ou a effacé ses données)."))
    if not can_open(session, state(request).integrations.owner_of, staff, person_id):
        raise HTTPException(403, gettext("Cette personne est suivie par un autre conseiller."))
    conversation = handoff_queue.conversation_of(session, person_id)
    if conversation is None:
        raise HTTPException(404, gettext("Pas de conversation."))
    return conversation


@page()
async def conversation_page(request: Request, session: Session, staff: Staff) -> Response:
    """The whole transcript, the person's context, and what a counsellor can do."""
    conversation = conversation_of(session, request, staff)
    person_id = conversation.person_id
    console = state(request)
    person = session.get(Person, person_id)
    audit(session, staff, "view", f"conversation {person_id}", console.clock(), person_id)
    names = repo_console.staff_names(session)
    messages = transcript(session, person_id)
    changes = history(session, person_id)
    labels = who_labels(session, [m.author for m in messages] + [t.by for t in changes])
    return render(
        request,
        "conversation.html",
        {
            "staff": staff,
            "person": person,
            "conversation": conversation,
            "state_label": state_labels().get(conversation.handoff, conversation.handoff),
            "states": state_labels(),
            "messages": messages,
            "names": names,
            "context": console.integrations.person_lines(session, person_id),
            "participant_id": console.integrations.participant_of_person(session, person_id),
            "intents": last_intents(session, person_id),
            "notes": notes(session, person_id),
            "canned": repo_console.canned_replies(session),
            "history": changes,
            "labels": labels,
            "media": repo_media.of_person(session, person_id),
            "sms": sms_store.deliveries_of(session, person_id),
            "sms_account": sms_status(session, person_id),
            "sms_states": {key: gettext(label) for key, label in SMS_STATES.items()},
            "alert": alert_of(session, person_id),
            "reasons": reason_labels(),
            "name": handoff_queue.names_of(
                session, [person_id], {person_id: person.display_name if person else None}
            )[person_id],
            "button_label": button_label,
            "delivery": delivery(session, messages),
            "intake": intake_of(session, person_id),
            "intake_choices": choices(),
        },
    )


def _back(person_id: int) -> Response:
    return RedirectResponse(f"/conversations/{person_id}", status_code=303)


@page()
async def take_action(request: Request, session: Session, staff: Staff) -> Response:
    """Take a waiting conversation: the counsellor holds it."""
    await checked_form(request)
    conversation = conversation_of(session, request, staff)
    now = state(request).clock()
    take(session, conversation, at=now, by=f"staff:{staff.id}")
    release(session, conversation.person_id)
    audit(
        session,
        staff,
        "take",
        f"conversation {conversation.person_id}",
        now,
        conversation.person_id,
    )
    return _back(conversation.person_id)


@page()
async def reply_action(request: Request, session: Session, staff: Staff) -> Response:
    """Answer the person: logged, and sent through the outbox right away."""
    form = await checked_form(request)
    conversation = conversation_of(session, request, staff)
    console = state(request)
    text = str(form.get("text") or "").strip()
    canned_id = str(form.get("canned") or "")
    if not text and canned_id.isdigit():
        canned = session.get(CannedReply, int(canned_id))
        text = canned.text if canned else ""
    if not text:
        flash(request, gettext("Message vide : rien n'a été envoyé."))
        return _back(conversation.person_id)
    now = console.clock()
    counsellor_reply(session, conversation, text, at=now, by=f"staff:{staff.id}", channel="console")
    release(session, conversation.person_id)
    audit(
        session,
        staff,
        "reply",
        f"conversation {conversation.person_id}",
        now,
        conversation.person_id,
    )
    session.commit()
    if console.kick is not None:
        console.kick()
    if console.mirror is not None:
        mirrored = gettext("💬 {name} (console) : {text}").format(name=staff.name, text=text)
        await console.mirror(conversation.person_id, mirrored)
    person = session.get(Person, conversation.person_id)
    reachable = [account.channel for account in person.accounts] if person else []
    if not console.delivers(reachable):
        flash(
            request,
            gettext(
                "Mode local : aucun canal ne peut remettre ce message. Il est gardé dans la "
                "conversation, mais la personne ne le recevra pas d'ici."
            ),
        )
    else:
        flash(request, gettext("Message en file d'envoi : son état s'affiche sous le message."))
    return _back(conversation.person_id)


@page()
async def note_action(request: Request, session: Session, staff: Staff) -> Response:
    """A private note (never sent to the person)."""
    form = await checked_form(request)
    conversation = conversation_of(session, request, staff)
    text = str(form.get("text") or "").strip()
    if text:
        session.add(
            StaffNote(
                person_id=conversation.person_id,
                staff_id=staff.id,
                author=staff.name,
                created_at=state(request).clock(),
                text=text[:4000],
            )
        )
        flash(request, gettext("Note enregistrée."))
    return _back(conversation.person_id)


@page()
async def resolve_action(request: Request, session: Session, staff: Staff) -> Response:
    """Close the hand-off: the person is told and the bot answers again."""
    await checked_form(request)
    conversation = conversation_of(session, request, staff)
    console = state(request)
    now = console.clock()
    if resolve(session, conversation, at=now, by=f"staff:{staff.id}"):
        notify_resolved(session, conversation.person_id, now)
        release(session, conversation.person_id)
        audit(
            session,
            staff,
            "resolve",
            f"conversation {conversation.person_id}",
            now,
            conversation.person_id,
        )
        session.commit()
        if console.kick is not None:
            console.kick()
        flash(request, gettext("Conversation résolue : l'assistant répond de nouveau."))
    return RedirectResponse("/", status_code=303)


@page()
async def assign_action(request: Request, session: Session, staff: Staff) -> Response:
    """Assign a waiting person to a counsellor (admins), or take turns (round-robin)."""
    form = await checked_form(request)
    if staff.role != "admin":
        raise HTTPException(403, gettext("Réservé aux administrateurs."))
    now = state(request).clock()
    if form.get("mode") == "round-robin":
        count = round_robin(session, now, f"staff:{staff.id}")
        audit(session, staff, "assign", f"round-robin {count}", now, None)
        flash(
            request,
            ngettext(
                "{count} conversation répartie.", "{count} conversations réparties.", count
            ).format(count=count),
        )
        return RedirectResponse("/", status_code=303)
    conversation = conversation_of(session, request, staff)
    target = str(form.get("staff_id") or "")
    member = session.get(Staff, int(target)) if target.isdigit() else None
    if member is None or not member.active:
        flash(request, gettext("Choisissez un conseiller."))
        return RedirectResponse("/", status_code=303)
    handoff_queue.assign(session, conversation.person_id, member.id, now, f"staff:{staff.id}")
    audit(
        session,
        staff,
        "assign",
        f"conversation {conversation.person_id} → {member.name}",
        now,
        None,
    )
    flash(request, gettext("Confié à {name}.").format(name=member.name))
    return RedirectResponse("/", status_code=303)


@page()
async def sms_resume_action(request: Request, session: Session, staff: Staff) -> Response:
    """« Reprendre les SMS » from the conversation page."""
    await checked_form(request)
    conversation = conversation_of(session, request, staff)
    person_id = conversation.person_id
    resume(request, session, staff, person_id, f"conversation {person_id}")
    return _back(person_id)
