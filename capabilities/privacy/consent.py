"""First contact: welcome, what the assistant does, the privacy notice, consent buttons.

Nothing about the person is kept before they accept. A refusal keeps only the refusal (so
we do not ask again at every message); the first question asked before consent is kept in
the conversation state only, answered right after acceptance (and then written to the
transcript, so the counsellor reads it), and dropped on refusal. Distress words are the one
exception: the alert keeps the message that raised it (capabilities/handoff/flow.py).
Answering it is the router's job: :func:`handle` then returns :class:`RouteAgain`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from capabilities.conversation.keyboards import menu_reply
from capabilities.conversation.machine import Machine, moves
from capabilities.conversation.turn import Turn
from core.messages import Button, Kind, Reply
from store.models import MessageLog

PENDING_KEY = "pending_text"
# A first "bonjour" needs no "you asked me…": the menu answers it.
SMALL_TALK = {"greet", "thanks", "goodbye", "affirm", "deny", "out_of_scope", None}


class Status(StrEnum):
    """``people.consent``: the steps of consent."""

    PENDING = "pending"
    GIVEN = "given"
    REFUSED = "refused"


MACHINE = Machine(
    "consent",
    Status,
    moves(
        (None, Status.PENDING, "first message: welcome, what the assistant does, privacy notice"),
        (Status.PENDING, Status.PENDING, "any message: the welcome again, lang:<code> switches"),
        (Status.PENDING, Status.GIVEN, "consent:yes: the /start code, the first question, or menu"),
        (Status.PENDING, Status.REFUSED, "consent:no or /supprimer: only the refusal is kept"),
        (Status.REFUSED, Status.REFUSED, "any message: the refusal recalled, the accept button"),
        (Status.REFUSED, Status.GIVEN, "consent:yes"),
        (Status.GIVEN, None, "/supprimer: everything erased (privacy flow), asked again later"),
    ),
    (
        "Consent (capabilities/privacy/consent.py): every message before consent lands here.",
        "The first question and a /start code wait in the conversation state, not in the log.",
        "Distress words get the emergency numbers first, even before consent.",
    ),
)


@dataclass(frozen=True)
class RouteAgain:
    """Consent given with a question pending: these replies, then the router answers it."""

    replies: list[Reply]


Outcome = list[Reply] | RouteAgain


def welcome(turn: Turn) -> list[Reply]:
    """The welcome, the privacy notice and the consent question."""
    _ = turn._
    hello = _(
        "Bonjour et bienvenue ! Je suis l'assistant des Espaces 20 000 emplois du Dunkerquois."
    )
    can = _(
        "Je peux vous renseigner sur les métiers qui recrutent, les formations, le transport, "
        "le logement et la garde d'enfants, vous aider à prendre rendez-vous et vous mettre "
        "en relation avec un conseiller."
    )
    privacy = _(
        "Vie privée : si vous acceptez, je garde vos messages et vos rendez-vous pour vous "
        "répondre et pour que votre conseiller puisse vous aider. Rien n'est vendu ni partagé "
        "en dehors de l'équipe. À tout moment : /mesdonnees pour voir ce que je garde, "
        "/supprimer pour tout effacer, /stop pour ne plus recevoir de messages de ma part."
    )
    return [
        Reply(text=f"{hello}\n\n{can}"),
        Reply(
            text=f"{privacy}\n\n" + _("Acceptez-vous ?"),
            buttons=(
                (Button(_("J'accepte"), "consent:yes"), Button(_("Je refuse"), "consent:no")),
                (Button(_("English"), "lang:en"),),
            ),
        ),
    ]


def handle(turn: Turn) -> Outcome:
    """Every message before consent lands here; the move of ``people.consent`` is checked."""
    before = turn.person.consent or Status.PENDING
    outcome = _handle(turn)
    MACHINE.check(before, turn.person.consent or Status.PENDING)
    return outcome


def _handle(turn: Turn) -> Outcome:
    incoming = turn.incoming
    if incoming.kind is Kind.BUTTON and incoming.payload.startswith("lang:"):
        locale = incoming.payload.removeprefix("lang:")
        flow = turn.services.registry.by_name("lang")
        if flow is not None:
            flow.on_button(turn, [locale])
            return welcome(turn)
    if incoming.kind is Kind.BUTTON and incoming.payload == "consent:yes":
        return accept(turn)
    if incoming.kind is Kind.BUTTON and incoming.payload == "consent:no":
        return refuse(turn)
    if incoming.kind is Kind.COMMAND and incoming.text.split()[0].lower() == "/supprimer":
        return refuse(turn)
    if incoming.kind is Kind.COMMAND and incoming.text.split()[0].lower() == "/start":
        code = incoming.text.split(maxsplit=1)[1].strip() if " " in incoming.text else ""
        if code:
            turn.update(**{"start_code": code[:64]})
    elif incoming.kind is Kind.TEXT and turn.text and turn.person.consent == "pending":
        # Held in the conversation state only, answered after acceptance, dropped on refusal.
        turn.update(**{PENDING_KEY: turn.text[:1000], "pending_parse": turn.parse})
    if turn.person.consent == "refused":
        _ = turn._
        return [
            Reply(
                text=_(
                    "Vous avez refusé que je garde vos messages, je ne garde donc rien. "
                    "Pour utiliser l'assistant, il faut accepter. Vous pouvez changer d'avis :"
                ),
                buttons=((Button(_("J'accepte"), "consent:yes"),),),
            )
        ]
    return welcome(turn)


def accept(turn: Turn) -> Outcome:
    """Consent given: keep it, then the question asked before (routed again), or the menu."""
    person = turn.person
    person.consent = Status.GIVEN
    person.consent_at = turn.now
    if turn.incoming.display_name:
        person.display_name = turn.incoming.display_name[:80]
    data = turn.data
    turn.finish()
    keep_first_message(turn, data)
    replies = [Reply(text=turn._("Merci ! C'est noté."))]
    code = data.get("start_code")
    if code:
        for handler in turn.services.start_handlers:
            answer = handler(turn, str(code))
            if answer is not None:
                return replies + answer
    pending, parsed = data.get(PENDING_KEY), data.get("pending_parse")
    intent = (parsed or {}).get("intent", {}) if isinstance(parsed, dict) else {}
    worth_answering = (
        intent.get("name") not in SMALL_TALK
        and float(intent.get("confidence") or 0) >= turn.settings.nlu_threshold
    )
    if pending and isinstance(parsed, dict) and worth_answering:
        turn.parse = parsed
        replies.append(
            Reply(text=turn._("Vous m'aviez demandé : « {text} »").format(text=str(pending)[:200]))
        )
        return RouteAgain(replies)
    replies.append(menu_reply(turn))
    return replies


def keep_first_message(turn: Turn, data: dict[str, object]) -> None:
    """Consent given: the question asked before joins the transcript (the counsellor reads it)."""
    pending = data.get(PENDING_KEY)
    if not pending or not isinstance(pending, str):
        return
    parsed = data.get("pending_parse")
    intent = parsed.get("intent", {}) if isinstance(parsed, dict) else {}
    confidence = intent.get("confidence") if isinstance(intent, dict) else None
    turn.session.add(
        MessageLog(
            person_id=turn.person.id,
            created_at=turn.now,
            direction="in",
            author="person",
            channel=turn.incoming.channel,
            kind="text",
            text=pending[:4096],
            intent=intent.get("name") if isinstance(intent, dict) else None,
            confidence=float(confidence) if isinstance(confidence, int | float) else None,
        )
    )
    turn.session.flush()  # before the turn's own rows: the transcript keeps the order


def refuse(turn: Turn) -> list[Reply]:
    """Consent refused: keep nothing but the refusal."""
    person = turn.person
    person.consent = Status.REFUSED
    person.consent_at = turn.now
    person.display_name = None
    person.commune = None
    turn.finish()
    _ = turn._
    return [
        Reply(
            text=_(
                "C'est noté : je ne garde rien de vos messages. Vous pouvez aussi venir "
                "directement dans un Espace 20 000 emplois. Si vous changez d'avis, écrivez-moi."
            ),
            buttons=((Button(_("J'accepte finalement"), "consent:yes"),),),
        )
    ]
