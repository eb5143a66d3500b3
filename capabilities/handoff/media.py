"""Voice notes and photos: the bot cannot read them, a counsellor can.

Many people who cannot write well send a voice note, or a photo of a letter or a
convocation. Instead of "I only read written messages", the file is kept with the person
(``store.media``: erased by ``/supprimer``, counted by ``/mesdonnees``) and passed to a
counsellor: a hand-off request is opened (or the file is relayed into the current one), the
staff topic receives the audio or the image, the console shows a player and the image.

With no counsellor to pass it to, nothing is kept: the person gets the menu and the
Espaces' details, to reach someone in person.
"""

from __future__ import annotations

from capabilities.conversation.keyboards import menu_rows
from capabilities.conversation.turn import Turn
from capabilities.handoff.flow import open_request, when_answered
from capabilities.handoff.state import HELD
from capabilities.information.places import espace_details
from core.i18n import ngettext_for
from core.messages import Button, Reply
from store import repo_media

KINDS = ("voice", "photo")


def counsellors_reachable(turn: Turn) -> bool:
    """Someone reads hand-offs: the staff Telegram group, or a console account."""
    if turn.settings.telegram_staff_chat_id is not None:
        return True
    return repo_media.has_console_readers(turn.session)


def receive(turn: Turn) -> list[Reply]:
    """A voice note or a photo: kept and passed to a counsellor, or the menu and the Espaces."""
    _ = turn._
    attachment = turn.incoming.attachment
    if attachment is None or attachment.kind not in KINDS:
        return []
    if not counsellors_reachable(turn):
        return [_nobody(turn)]
    row = repo_media.add(
        turn.session,
        person_id=turn.person.id,
        kind=attachment.kind,
        mime_type=attachment.mime_type,
        data=attachment.data,
        duration_s=attachment.duration_s,
        caption=turn.incoming.text,
        at=turn.now,
    )
    held = turn.conversation.handoff in HELD
    if not held:
        open_request(turn, "asked")
    turn.emit("relay", text=turn.incoming.text, payload="", media_id=row.id, media=row.kind)
    thanks = (
        _("Merci pour votre message vocal. Un conseiller va l'écouter.")
        if attachment.kind == "voice"
        else _("Merci pour votre photo. Un conseiller va la regarder.")
    )
    text = thanks + " " + (_("Il vous répondra ici.") if held else when_answered(turn))
    return [Reply(text=text, buttons=((Button(_("Revenir à l'assistant"), "human:back"),),))]


def _nobody(turn: Turn) -> Reply:
    _ = turn._
    lines = [
        _("Je ne peux pas écouter les messages vocaux ni lire les photos.")
        if turn.incoming.attachment and turn.incoming.attachment.kind == "voice"
        else _("Je ne peux pas lire les photos ni écouter les messages vocaux."),
        _("Aucun conseiller n'est joignable ici pour l'instant."),
        _("Vous pouvez aller dans un Espace :"),
        *espace_details(turn.session, _),
        _("Ou écrivez-moi votre question, ou choisissez un sujet :"),
    ]
    return Reply(text="\n".join(lines), buttons=menu_rows(turn))


def data_section(turn: Turn) -> list[str]:
    """``/mesdonnees``: how many voice notes and photos we keep."""
    counts = repo_media.counts(turn.session, turn.person.id)
    ngettext = ngettext_for(turn.locale)
    lines = []
    if counts.get("voice"):
        lines.append(
            ngettext(
                "• {count} message vocal, gardé pour les conseillers",
                "• {count} messages vocaux, gardés pour les conseillers",
                counts["voice"],
            ).format(count=counts["voice"])
        )
    if counts.get("photo"):
        lines.append(
            ngettext(
                "• {count} photo, gardée pour les conseillers",
                "• {count} photos, gardées pour les conseillers",
                counts["photo"],
            ).format(count=counts["photo"])
        )
    return lines
