"""/mesdonnees and /supprimer: what we keep about a person, and erasing all of it."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from capabilities.conversation import commands
from capabilities.conversation.keyboards import footer_row
from capabilities.conversation.machine import Machine, member, moves
from capabilities.conversation.registry import Flow
from capabilities.conversation.turn import Turn
from capabilities.conversation.yesno import typed_answer
from capabilities.privacy import export
from core.i18n import LANGUAGE_NAMES, format_when, ngettext_for
from core.messages import Button, Reply
from store import repo_privacy


class Step(StrEnum):
    """Where the privacy flow holds the conversation."""

    CONFIRM = "confirm"  # "Voulez-vous vraiment tout effacer ?" asked


class Action(StrEnum):
    """The first argument of ``privacy:`` payloads."""

    SHOW = "show"
    ERASE = "erase"
    CONFIRM = "confirm"
    CANCEL = "cancel"


MACHINE = Machine(
    "privacy",
    Step,
    moves(
        (None, None, "/mesdonnees, privacy:show: what is kept about the person"),
        (None, Step.CONFIRM, "delete_my_data, /supprimer, privacy:erase: asks first"),
        (Step.CONFIRM, None, "privacy:confirm (stamped): everything erased, the person too"),
        (Step.CONFIRM, None, "privacy:cancel: nothing erased"),
    ),
    (
        "Privacy (capabilities/privacy/privacy.py). Payload prefix: privacy:",
        "An unstamped or out-of-context privacy:confirm is refused and changes nothing.",
    ),
)


class PrivacyFlow(Flow):
    """Show the stored data; erase everything after an explicit confirmation."""

    name: ClassVar[str] = "privacy"
    intents: ClassVar[tuple[str, ...]] = ("delete_my_data",)
    machine = MACHINE

    def start(self, turn: Turn) -> list[Reply]:
        """The intent "effacez mes données" asks for confirmation, like /supprimer."""
        return self.on_button(turn, ["erase"])

    def on_button(self, turn: Turn, args: list[str]) -> list[Reply]:
        """``show``, ``erase`` (asks) and ``confirm``/``cancel`` (stamped buttons)."""
        action = member(Action, args[0] if args else Action.SHOW)
        if action is Action.ERASE:
            return self._ask(turn)
        if action is Action.CONFIRM and turn.flow == self.name and turn.stamped:
            return self._erase(turn)
        if action is Action.CONFIRM:  # an unstamped or out-of-context confirmation: refuse
            return [commands.stale_button(turn)]
        if action is Action.CANCEL:
            turn.finish()
            return [Reply(text=turn._("D'accord, je n'efface rien."), buttons=(footer_row(turn),))]
        return self._show(turn)

    def on_text(self, turn: Turn) -> list[Reply] | None:
        """ "oui" / "non" typed at "Voulez-vous vraiment tout effacer ?" do what the buttons do."""
        answer = typed_answer(turn) if turn.step == Step.CONFIRM else None
        if answer is None:
            return None
        if answer:
            return self._erase(turn)
        return self.on_button(turn, [Action.CANCEL])

    def _show(self, turn: Turn) -> list[Reply]:
        _ = turn._
        person = turn.person
        messages = repo_privacy.message_count(turn.session, person.id)
        requests = repo_privacy.handoff_request_count(turn.session, person.id)
        lines = [_("Voici ce que je garde sur vous :")]
        if person.consent_at is not None:
            when = format_when(person.consent_at, turn.locale)
            lines.append(_("• votre accord, donné le {when}").format(when=when))
        if person.display_name:
            lines.append(_("• votre prénom : {name}").format(name=person.display_name))
        language = LANGUAGE_NAMES.get(person.locale or "", "")
        if language:
            lines.append(_("• la langue choisie : {language}").format(language=language))
        ngettext = ngettext_for(turn.locale)
        count = messages or 0
        lines.append(
            ngettext(
                "• nos échanges : {count} message", "• nos échanges : {count} messages", count
            ).format(count=count)
        )
        if requests:
            lines.append(
                ngettext(
                    "• {count} demande de conseiller",
                    "• {count} demandes de conseiller",
                    requests,
                ).format(count=requests)
            )
        if person.proactive_opt_out:
            lines.append(_("• vous avez demandé à ne plus recevoir de messages de ma part"))
        for section in turn.services.data_sections:
            lines.extend(section(turn))
        lines.append(_("Voici une copie de tout, en deux fichiers."))
        lines.append(_("Pour tout effacer : /supprimer"))
        files = export.documents(turn.session, person.id, turn.locale, turn.now)
        return [
            Reply(text="\n".join(lines)),
            *(Reply(document=document) for document in files[:-1]),
            Reply(
                document=files[-1],
                buttons=((Button(_("Tout effacer"), "privacy:erase"),), footer_row(turn)),
            ),
        ]

    def _ask(self, turn: Turn) -> list[Reply]:
        _ = turn._
        turn.enter(self.name, Step.CONFIRM)
        return [
            Reply(
                text=_(
                    "Voulez-vous vraiment effacer tout ce que je sais de vous (messages, "
                    "rendez-vous, suivi) ? C'est définitif."
                ),
                buttons=(
                    (
                        Button(_("Oui, tout effacer"), turn.stamp("privacy:confirm")),
                        Button(_("Non, annuler"), turn.stamp("privacy:cancel")),
                    ),
                ),
            )
        ]

    def _erase(self, turn: Turn) -> list[Reply]:
        person = turn.person
        turn.emit("erased")
        text = turn._(
            "C'est fait : j'ai tout effacé. Si vous m'écrivez à nouveau, je vous redemanderai "
            "votre accord."
        )
        for hook in turn.services.erase_hooks:
            hook(turn)
        turn.session.delete(person)
        turn.erased = True
        return [Reply(text=text)]
