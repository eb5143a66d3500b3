"""The booking conversation (``appt:`` buttons): motif → Espace → day → time → first name →
phone number for the Espace (both skippable, the number only with a yes) → confirmation.

Free text pre-fills what it can ("rdv mardi à la gare vers 14h") and only the rest is asked.
"Mes rendez-vous" lists upcoming ones with "Déplacer" / "Annuler"; a move keeps the old slot
until the new one is confirmed. The steps and their moves are declared in :mod:`.steps`;
``flow.mmd`` beside this file is their diagram (generated, checked by a test).
Every id received in a payload is checked against the person: a forged one changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from capabilities.appointments import actions, contact, steps, views
from capabilities.appointments.agenda import search
from capabilities.appointments.booking import BookingError, confirm_coming, join_waitlist, upcoming
from capabilities.appointments.config import load_config
from capabilities.appointments.describe import decode_start
from capabilities.appointments.referent import referent_for
from capabilities.appointments.steps import STATEFUL, Action, Step, advance, expired
from capabilities.conversation.keyboards import footer_row
from capabilities.conversation.machine import member
from capabilities.conversation.registry import Flow
from capabilities.conversation.turn import Turn
from capabilities.conversation.yesno import typed_answer
from core.clock import PARIS
from core.dates import parse_clock, parse_day
from core.messages import Reply
from core.text import fold
from store.appointments import Espace, Motif

Handler = Callable[[Turn, list[str]], list[Reply]]


class BookingFlow(Flow):
    """Book, list, move and cancel appointments inside the conversation."""

    name: ClassVar[str] = steps.NAME
    intents: ClassVar[tuple[str, ...]] = (
        "book_appointment",
        "cancel_appointment",
        "reschedule_appointment",
        "my_appointments",
    )
    machine = steps.MACHINE

    def __init__(self) -> None:
        self.buttons: dict[Action, Handler] = {
            Action.MENU: self._on_menu,
            Action.NEW: self._on_new,
            Action.MOTIF: self._on_m,
            Action.ESPACE: self._on_e,
            Action.DAY: self._on_d,
            Action.MORE: self._on_more,
            Action.DAYS: self._on_days,
            Action.TIME: self._on_t,
            Action.OK: actions.confirm_booking,
            Action.MOVE: actions.start_move,
            Action.CANCEL: actions.ask_cancel,
            Action.CANCEL_OK: actions.do_cancel,
            Action.YES: self._on_yes,
            Action.NO: actions.cannot_come,
            Action.PICK: self._on_pick,
            Action.GO: self._on_go,
            Action.WAITLIST: self._on_wl,
            Action.NAME: self._on_nm,
            Action.PHONE: self._on_ph,
        }

    # --- entry points --------------------------------------------------------------------
    def start(self, turn: Turn) -> list[Reply]:
        """Entered by an intent; free text pre-fills the booking."""
        if turn.intent == "my_appointments":
            turn.finish()
            return [views.my_list(turn)]
        if turn.intent == "cancel_appointment":
            return self._choose_existing(turn, "cx")
        if turn.intent == "reschedule_appointment":  # "décaler à mardi vers 14h": kept
            wanted = {k: v for k, v in self._read(turn).items() if k.startswith("want_")}
            return self._choose_existing(turn, "mv", wanted)
        turn.enter(self.name, Step.MOTIF)
        turn.update(**self._read(turn))
        return advance(turn)

    def on_text(self, turn: Turn) -> list[Reply] | None:
        """A typed yes/no at a confirmation step; a first name, a phone number; a day, a time
        or a place typed while booking."""
        answer = typed_answer(turn) if turn.step in (Step.CONFIRM, Step.CANCEL) else None
        if answer is not None:
            return self._typed(turn, answer)
        if turn.step == Step.REMINDED:
            return self._reminded(turn)
        if turn.step == Step.PHONE:
            return self._typed_phone(turn)
        if turn.step == Step.NAME and (said := typed_answer(turn)) is not None:
            return self._on_nm(turn, ["known" if said else "skip"])  # « oui » takes the offer
        if turn.step == Step.NAME and (name := contact.read_name(turn.text)) is not None:
            turn.update(first_name=name, name_asked=True)
            return advance(turn)
        found = self._read(turn)
        if not found:
            return [contact.name_retry(turn)] if turn.step == Step.NAME else None
        turn.update(**found)
        return advance(turn)

    # --- who is coming: a first name, a phone number for the Espace ------------------------
    def _on_nm(self, turn: Turn, rest: list[str]) -> list[Reply]:
        """ "Passer", or the first name already known."""
        if turn.step != Step.NAME:
            return [expired(turn)]
        name = contact.known_name(turn) if rest and rest[0] == "known" else None
        turn.update(first_name=name or "", name_asked=True)
        return advance(turn)

    def _on_ph(self, turn: Turn, rest: list[str]) -> list[Reply]:
        """ "Oui, je donne mon numéro" (then it is typed) or "Non merci"."""
        if turn.step != Step.PHONE:
            return [expired(turn)]
        if rest and rest[0] == "yes":
            return [contact.phone_prompt(turn)]
        turn.update(phone="", phone_asked=True)
        return advance(turn)

    def _typed_phone(self, turn: Turn) -> list[Reply]:
        """At the phone question: a typed yes/no is its buttons; anything else, a number."""
        answer = typed_answer(turn)
        if answer is True:
            return [contact.phone_prompt(turn)]
        if answer is False:
            return self._on_ph(turn, ["no"])
        number, problem = contact.read_phone(turn.text)
        if number is None:
            return [contact.phone_retry(turn, problem)]
        turn.update(phone=number, phone_asked=True)  # typed after being told why: a yes
        return advance(turn)

    def on_button(self, turn: Turn, args: list[str]) -> list[Reply]:
        """``appt:<action>:<args>``; stateful actions need the conversation to be here."""
        action, rest = (member(Action, args[0]), args[1:]) if args else (Action.MENU, [])
        if action in STATEFUL and turn.flow != self.name:
            return [expired(turn)]
        handler = self.buttons.get(action) if action is not None else None
        if handler is None:
            return [views.my_list(turn)]
        return handler(turn, rest)

    def _typed(self, turn: Turn, yes: bool) -> list[Reply]:
        """What the recap's or the cancel question's buttons do, typed."""
        data = turn.data
        if turn.step == Step.CANCEL:
            booking = str(data.get("booking") or "")
            if yes:
                return actions.do_cancel(turn, [booking])
            turn.finish()
            kept = turn._("D'accord, je le garde : rien n'a changé.")
            return [views.my_list(turn, kept)]
        if yes:
            return actions.confirm_booking(turn, [])
        return [actions.not_confirmed(turn)]

    def _reminded(self, turn: Turn) -> list[Reply] | None:
        """The first text after a reminder: a typed oui/non is its buttons, the rest is read as
        usual (the reminder's buttons still work)."""
        booking = [str(turn.data.get("booking") or "")]
        answer = typed_answer(turn)
        turn.finish()
        if answer is None:
            return None
        return self._on_yes(turn, booking) if answer else actions.cannot_come(turn, booking)

    # --- reading free text ---------------------------------------------------------------
    def _read(self, turn: Turn) -> dict[str, Any]:
        text = turn.text
        found: dict[str, Any] = {}
        espace = turn.entity("espace")
        espace_id = views.match_espace(turn, espace or text)
        if espace_id:
            found["espace"] = espace_id
        plain = fold(text)
        for motif in views.motifs(turn):
            if fold(motif.id) in plain.split() or fold(motif.label) in plain:
                found["motif"] = motif.id
        guess = parse_day(text, turn.now) or parse_day(turn.entity("date") or "", turn.now)
        if guess is not None:
            found.update(day=None, start=None, want_invalid=guess.invalid, want_past=guess.past)
            found["want_day"] = guess.day.isoformat() if guess.day else None
        clock = parse_clock(text) or parse_clock(turn.entity("time") or "")
        if clock is not None:
            found.update(want_time=clock.strftime("%H:%M"), start=None)
        return found

    # --- buttons -------------------------------------------------------------------------
    def _on_menu(self, turn: Turn, rest: list[str]) -> list[Reply]:
        turn.finish()
        return [views.my_list(turn)]

    def _on_new(self, turn: Turn, rest: list[str]) -> list[Reply]:
        turn.enter(self.name, Step.MOTIF)
        return advance(turn)

    def _on_m(self, turn: Turn, rest: list[str]) -> list[Reply]:
        if not rest or turn.session.get(Motif, rest[0]) is None:
            return [expired(turn)]
        turn.update(motif=rest[0])
        return advance(turn)

    def _on_e(self, turn: Turn, rest: list[str]) -> list[Reply]:
        if not rest or turn.session.get(Espace, rest[0]) is None:
            return [expired(turn)]
        turn.update(espace=rest[0], day=None, start=None)
        return advance(turn)

    def _on_d(self, turn: Turn, rest: list[str]) -> list[Reply]:
        if not rest or not rest[0].isdigit() or len(rest[0]) != 8:
            return [expired(turn)]
        turn.update(day=rest[0], start=None, want_time=None)
        return advance(turn)

    def _on_more(self, turn: Turn, rest: list[str]) -> list[Reply]:
        data = turn.data
        if not rest or not data.get("motif") or not data.get("espace"):
            return [expired(turn)]
        after = datetime.strptime(rest[0], "%Y%m%d").date() if rest[0].isdigit() else None
        slots = search(
            turn.session,
            load_config().rules,
            turn.now,
            espace_ids=[data["espace"]],
            motif_ids=[data["motif"]],
            staff_id=referent_for(turn.session, turn.person.id, data["motif"]),
        )
        turn.goto(Step.DAY)
        return [views.ask_day(turn, slots, after=after)]

    def _on_days(self, turn: Turn, rest: list[str]) -> list[Reply]:
        turn.update(day=None, start=None, want_time=None)
        return advance(turn)

    def _on_t(self, turn: Turn, rest: list[str]) -> list[Reply]:
        start = decode_start(rest[0]) if rest else None
        if start is None:
            return [expired(turn)]
        day = start.astimezone(PARIS).date()
        turn.update(day=f"{day:%Y%m%d}", start=start.strftime("%Y%m%d%H%M"))
        return advance(turn)

    def _on_yes(self, turn: Turn, rest: list[str]) -> list[Reply]:
        booking_id = int(rest[0]) if rest and rest[0].isdigit() else 0
        try:
            confirm_coming(
                turn.session, booking_id=booking_id, person_id=turn.person.id, now=turn.now
            )
        except BookingError:
            return [
                views.my_list(
                    turn, turn._("Je ne trouve pas ce rendez-vous à venir. Rien n'a été modifié.")
                )
            ]
        return [
            Reply(text=turn._("Merci, c'est noté : on vous attend !"), buttons=(footer_row(turn),))
        ]

    def _on_pick(self, turn: Turn, rest: list[str]) -> list[Reply]:
        if len(rest) != 3 or turn.session.get(Motif, rest[0]) is None:
            return [expired(turn)]
        start = decode_start(rest[2])
        if turn.session.get(Espace, rest[1]) is None or start is None:
            return [expired(turn)]
        day = start.astimezone(PARIS).date()
        turn.enter(
            self.name,
            Step.TIME,
            motif=rest[0],
            espace=rest[1],
            day=f"{day:%Y%m%d}",
            start=start.strftime("%Y%m%d%H%M"),
        )
        return advance(turn)

    def _on_go(self, turn: Turn, rest: list[str]) -> list[Reply]:
        if len(rest) != 2 or turn.session.get(Motif, rest[0]) is None:
            return [expired(turn)]
        if turn.session.get(Espace, rest[1]) is None:
            return [expired(turn)]
        turn.enter(self.name, Step.DAY, motif=rest[0], espace=rest[1])
        return advance(turn)

    def _on_wl(self, turn: Turn, rest: list[str]) -> list[Reply]:
        if len(rest) != 2 or turn.session.get(Motif, rest[0]) is None:
            return [expired(turn)]
        espace_id = rest[1] if turn.session.get(Espace, rest[1]) else None
        join_waitlist(
            turn.session,
            person_id=turn.person.id,
            motif_id=rest[0],
            espace_id=espace_id,
            now=turn.now,
        )
        turn.finish()
        return [
            Reply(
                text=turn._(
                    "C'est noté : je vous écrirai ici dès qu'une place se libère, "
                    "dans l'ordre des demandes."
                ),
                buttons=(footer_row(turn),),
            )
        ]

    def _choose_existing(
        self, turn: Turn, action: str, wanted: dict[str, Any] | None = None
    ) -> list[Reply]:
        bookings = upcoming(turn.session, turn.person.id, turn.now)
        if len(bookings) == 1:
            if wanted:  # the day and time said are used, not asked again
                return actions.start_move(turn, [str(bookings[0].id)], wanted)
            return self.on_button(turn, [action, str(bookings[0].id)])
        turn.finish()
        return [views.my_list(turn)]
