"""A precise question gets a precise answer, or an honest pointer (issue 15).

"ya un bus a 5h du matin ?", "c ouvert a quel heure", "combien on gagne operateur" ask for
a fact the cards do not hold (bus times, a salary). Repeating the topic's general card would
look like an answer: instead the bot says in one line what it does not know and points to
the official page of the topic, or to a counsellor. A follow-up ("et le dimanche ?") is read
in the topic of the person's last question (messages of the last 30 minutes).
"""

from __future__ import annotations

import re
from datetime import timedelta

from capabilities.conversation.keyboards import footer_row
from capabilities.conversation.turn import Turn
from capabilities.information.catalog import INTENT_CARDS
from capabilities.information.info import InfoFlow
from core.i18n import N_
from core.messages import Button, Reply
from core.text import fold
from store import repo_topics

CONTEXT_WINDOW = timedelta(minutes=30)
_TIMES = re.compile(
    r"\b(horaires?|a quel(le)? heure|quelle heure|\d{1,2} ?h(\d\d)?\b|du matin|de nuit|la nuit"
    r"|le soir|dimanches?|samedis?|jours? feries?|ouvert|ferme)"
)
_PAY = re.compile(
    r"\b(combien (on|je|tu|vous|il|ils) (gagne|touche|est paye)|salaires?|paye combien"
    r"|c est paye|payes? combien|remuneration)"
)
_APPLY = re.compile(r"\b(postul\w*|candidat\w*|cv|embauch\w*|recrut\w*|travailler chez)\b")
_FOLLOWUP = re.compile(r"^(et|mais|et pour|et si|et le|et la|et les|et a)\b")

# (topic of the card, kind of question) -> what the bot says it does not know.
_UNKNOWN = {
    ("transport", "times"): N_(
        "Je n'ai pas les horaires des bus (ni la nuit, ni le dimanche). "
        "La page transports officielle les donne."
    ),
    ("trades", "pay"): N_(
        "Je n'ai pas de salaire vérifié pour ce métier. Un conseiller peut vous dire ce que "
        "proposent les employeurs."
    ),
    ("trainings", "times"): N_(
        "Je n'ai pas les dates ni les horaires des formations. Un conseiller peut vous les donner."
    ),
}


def kind_of(text: str) -> str | None:
    """``"times"`` or ``"pay"`` when the message asks for one, else None."""
    plain = " ".join(fold(text).replace("'", " ").split())
    if _PAY.search(plain):
        return "pay"
    if _TIMES.search(plain):
        return "times"
    return None


def _card_of(intent: str | None, payload: str | None) -> str | None:
    if payload and payload.startswith("card:"):
        return payload.split(":")[1].split("~")[0] or None
    return INTENT_CARDS.get(intent or "")


def topic_card(turn: Turn) -> str | None:
    """The card the message is about: its own intent, or for a follow-up the last topic."""
    threshold = turn.settings.nlu_threshold
    confident = turn.confidence >= threshold
    own = _card_of(turn.intent, None) if confident else None
    if confident and not _FOLLOWUP.match(fold(turn.text).strip()):
        return own  # "rdv dimanche a 14h" is a booking, not a follow-up about buses
    since = turn.now - CONTEXT_WINDOW
    for intent, payload, confidence in repo_topics.recent_inputs(
        turn.session, turn.person.id, since
    ):
        card = _card_of(intent if (confidence or 0) >= threshold else None, payload)
        if card:
            return card
    return own


def employer_card(turn: Turn) -> str | None:
    """The card of an employer the message names ("postuler chez verkor", "verkor")."""
    catalog = turn.services.catalog
    if "trades.employers" not in catalog:
        return None
    plain = " ".join(fold(turn.text).replace("'", " ").split())
    for child in catalog.card("trades.employers").children:
        name = fold(catalog.card(child).title["fr"]).split()[0]
        if len(name) >= 4 and name != "autres" and re.search(rf"\b{re.escape(name)}\b", plain):
            return child
    return None


def _employer(turn: Turn, card_id: str) -> list[Reply]:
    reply = InfoFlow().card(turn, card_id)  # the card with its usual buttons
    if not _APPLY.search(fold(turn.text)):
        return [reply]
    name = reply.text.splitlines()[0]
    line = turn._(
        "Pour postuler chez {name} : je n'ai pas encore sa page emploi vérifiée. "
        "Un conseiller peut vous aider à préparer votre candidature."
    ).format(name=name)
    return [Reply(text=line), reply]


def answer(turn: Turn) -> list[Reply] | None:
    """The honest one-liner for a precise question the cards cannot answer, else None."""
    if not turn.is_text:
        return None
    kind = kind_of(turn.text)
    free = turn.confidence < turn.settings.nlu_threshold
    if kind is None and (free or turn.intent in ("ask_trades", "ask_training", "out_of_scope")):
        employer = employer_card(turn)
        if employer is not None:
            return _employer(turn, employer)
    if kind is None:
        return None
    card_id = topic_card(turn)
    if card_id is None or card_id not in turn.services.catalog:
        return None
    unknown = _UNKNOWN.get((card_id.split(".")[0], kind))
    if unknown is None:
        return None
    rendered = turn.services.catalog.render(card_id, turn.locale)
    rows: list[tuple[Button, ...]] = []
    if rendered.official:
        label, url = rendered.official
        rows.append((Button(label, url=url),))
    rows.append(
        (
            Button(
                turn._("Voir la fiche « {title} »").format(title=rendered.text.splitlines()[0]),
                f"card:{card_id}",
            ),
        )
    )
    rows.append(footer_row(turn))
    return [Reply(text=turn._(unknown), buttons=tuple(rows))]
