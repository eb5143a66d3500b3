"""The booking conversation (``appt:`` buttons): motif → Espace → day → time → confirmation.

Free text pre-fills what it can ("rdv mardi à la gare vers 14h") and only the rest is asked.
"Mes rendez-vous" lists upcoming ones with "Déplacer" / "Annuler"; a move keeps the old slot
until the new one is confirmed. See ``flow.mmd`` beside this file for the state diagram.
Every id received in a payload is checked against the person: a forged one changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import select

from capabilities.appointments import actions, views
from capabilities.appointments.agenda import active, load_calendar, search
from capabilities.appointments.booking import BookingError, confirm_coming, join_waitlist, upcoming
from capabilities.appointments.config import load_config
from capabilities.appointments.describe import decode_start, place_of
from capabilities.appointments.slots import Slot, day_closed_reason
from capabilities.conversation.keyboards import footer_row
from capabilities.conversation.registry import Flow
from capabilities.conversation.turn import Turn
from core.clock import PARIS
from core.dates import parse_clock, parse_day
from core.i18n import format_clock, format_day, format_when
from core.messages import Button, Reply
from core.text import fold
from store.appointments import Booking, Espace, Motif

STATEFUL = {"m", "e", "d", "more", "days", "t", "ok", "cxok", "wl"}


class BookingFlow(Flow):
    """Book, list, move and cancel appointments inside the conversation."""

    name: ClassVar[str] = "appt"
    intents: ClassVar[tuple[str, ...]] = (
        "book_appointment",
        "cancel_appointment",
        "reschedule_appointment",
        "my_appointments",
    )

    # --- entry points --------------------------------------------------------------------
    def start(self, turn: Turn) -> list[Reply]:
        """Entered by an intent; free text pre-fills the booking."""
        if turn.intent == "my_appointments":
            turn.finish()
            return [views.my_list(turn)]
        if turn.intent in ("cancel_appointment", "reschedule_appointment"):
            return self._choose_existing(
                turn, "cx" if turn.intent == "cancel_appointment" else "mv"
            )
        turn.enter(self.name, "motif")
        turn.update(**self._read(turn))
        return self._advance(turn)

    def on_text(self, turn: Turn) -> list[Reply] | None:
        """A day, a time or a place typed while booking."""
        found = self._read(turn)
        if not found:
            return None
        turn.update(**found)
        return self._advance(turn)

    def on_button(self, turn: Turn, args: list[str]) -> list[Reply]:
        """``appt:<action>:<args>``; stateful actions need the conversation to be here."""
        action, rest = (args[0], args[1:]) if args else ("menu", [])
        if action in STATEFUL and turn.flow != self.name:
            return [self._expired(turn)]
        handler = getattr(self, f"_on_{action}", None)
        if handler is None:
            return [views.my_list(turn)]
        replies: list[Reply] = handler(turn, rest)
        return replies

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

    # --- the state machine ---------------------------------------------------------------
    def _advance(self, turn: Turn, intro: str = "") -> list[Reply]:
        _ = turn._
        data = turn.data
        if not data.get("motif"):
            turn.goto("motif")
            return [views.ask_motif(turn, intro)]
        duplicate = self._duplicate(turn, data["motif"], data.get("move"))
        if duplicate is not None:
            turn.finish()
            return [duplicate]
        if not data.get("espace"):
            turn.goto("espace")
            return [views.ask_espace(turn)]
        rules = load_config().rules
        slots = search(
            turn.session, rules, turn.now, espace_ids=[data["espace"]], motif_ids=[data["motif"]]
        )
        if not slots:
            turn.goto("full")
            return [self._full(turn, data["motif"], data["espace"])]
        if not data.get("day"):
            problem = self._wanted_day(turn, slots)
            if problem is not None or not turn.data.get("day"):
                turn.goto("day")
                return [views.ask_day(turn, slots, problem or intro)]
            data = turn.data
        day_slots = [s for s in slots if f"{s.local_day:%Y%m%d}" == data["day"]]
        if not day_slots:
            turn.goto("day", day=None, start=None)
            return [views.ask_day(turn, slots, _("Il n'y a plus de place libre ce jour-là."))]
        slot = self._wanted_slot(turn, day_slots)
        if slot is None:
            problem = self._time_problem(turn, day_slots)
            turn.goto("time", start=None, want_time=None)
            return [views.ask_time(turn, day_slots, problem or intro)]
        turn.goto("confirm", start=slot.start.strftime("%Y%m%d%H%M"))
        moving = turn.session.get(Booking, data["move"]) if data.get("move") else None
        return [views.ask_confirm(turn, slot, moving)]

    def _wanted_day(self, turn: Turn, slots: list[Slot]) -> str | None:
        """Use the day the person wrote, or say kindly why it cannot be."""
        _ = turn._
        data = turn.data
        turn.update(want_day=None, want_invalid=None, want_past=False)
        if data.get("want_invalid"):
            return _("Le {date} n'existe pas dans le calendrier.").format(date=data["want_invalid"])
        if not data.get("want_day"):
            return None
        wanted = datetime.fromisoformat(data["want_day"]).date()
        shown = format_day(datetime.combine(wanted, datetime.min.time(), tzinfo=PARIS), turn.locale)
        if data.get("want_past"):
            return _("Le {day} est déjà passé.").format(day=shown)
        rules = load_config().rules
        if wanted > turn.now.astimezone(PARIS).date() + timedelta(days=rules.horizon_days):
            return _("Je ne peux réserver que dans les {n} prochains jours.").format(
                n=rules.horizon_days
            )
        reason = day_closed_reason(load_calendar(turn.session, rules), data["espace"], wanted)
        if reason == "holiday":
            return _("Le {day} est un jour férié : l'Espace est fermé.").format(day=shown)
        if reason is not None:
            return _("L'Espace ne reçoit pas de rendez-vous le {day}.").format(day=shown)
        if not any(s.local_day == wanted for s in slots):
            return _("Il n'y a plus de place libre le {day}.").format(day=shown)
        turn.update(day=f"{wanted:%Y%m%d}")
        return None

    def _wanted_slot(self, turn: Turn, day_slots: list[Slot]) -> Slot | None:
        data = turn.data
        if data.get("start"):
            return next(
                (s for s in day_slots if s.start.strftime("%Y%m%d%H%M") == data["start"]), None
            )
        if data.get("want_time"):
            return next(
                (s for s in day_slots if f"{s.start.astimezone(PARIS):%H:%M}" == data["want_time"]),
                None,
            )
        return None

    def _time_problem(self, turn: Turn, day_slots: list[Slot]) -> str | None:
        _ = turn._
        data = turn.data
        if data.get("start"):
            return _("Ce créneau vient d'être pris.")
        if data.get("want_time"):
            hour, minute = map(int, data["want_time"].split(":"))
            wanted = day_slots[0].start.astimezone(PARIS).replace(hour=hour, minute=minute)
            return _("Je n'ai pas de créneau libre à {clock} ce jour-là.").format(
                clock=format_clock(wanted, turn.locale)
            )
        return None

    def _duplicate(self, turn: Turn, motif_id: str, moving: int | None) -> Reply | None:
        if not load_config().rules.one_active_per_motif or moving:
            return None
        existing = turn.session.scalars(
            select(Booking).where(
                active(),
                Booking.person_id == turn.person.id,
                Booking.motif_id == motif_id,
                Booking.starts_at > turn.now,
            )
        ).first()
        if existing is None:
            return None
        _ = turn._
        motif = turn.session.get(Motif, motif_id)
        return Reply(
            text=_(
                "Vous avez déjà un rendez-vous « {motif} » le {when}. "
                "Vous pouvez le déplacer ou l'annuler :"
            ).format(
                motif=motif.label if motif else motif_id,
                when=format_when(existing.starts_at, turn.locale),
            ),
            buttons=(
                (
                    Button(_("Le déplacer"), f"appt:mv:{existing.id}"),
                    Button(_("L'annuler"), f"appt:cx:{existing.id}"),
                ),
                footer_row(turn),
            ),
        )

    def _full(self, turn: Turn, motif_id: str, espace_id: str) -> Reply:
        _ = turn._
        motif = turn.session.get(Motif, motif_id)
        rules = load_config().rules
        rows: list[tuple[Button, ...]] = [
            (
                Button(
                    _("Prévenez-moi si une place se libère"),
                    turn.stamp(f"appt:wl:{motif_id}:{espace_id}"),
                ),
            )
        ]
        for other in views.espaces(turn):
            if other.id != espace_id:
                rows.append(
                    (
                        Button(
                            _("Essayer : {name}").format(name=other.name),
                            turn.stamp(f"appt:e:{other.id}"),
                        ),
                    )
                )
        rows.append(footer_row(turn))
        return Reply(
            text=_(
                "Il n'y a plus de place libre pour « {motif} » à l'{espace} dans les "
                "{n} prochains jours."
            ).format(
                motif=motif.label if motif else motif_id,
                espace=place_of(turn.session, espace_id).name,
                n=rules.horizon_days,
            ),
            buttons=tuple(rows),
        )

    def _expired(self, turn: Turn) -> Reply:
        return views.my_list(turn, turn._("Ce bouton n'est plus valable. Rien n'a été modifié."))

    # --- buttons -------------------------------------------------------------------------
    def _on_menu(self, turn: Turn, rest: list[str]) -> list[Reply]:
        turn.finish()
        return [views.my_list(turn)]

    def _on_new(self, turn: Turn, rest: list[str]) -> list[Reply]:
        turn.enter(self.name, "motif")
        return self._advance(turn)

    def _on_m(self, turn: Turn, rest: list[str]) -> list[Reply]:
        if not rest or turn.session.get(Motif, rest[0]) is None:
            return [self._expired(turn)]
        turn.update(motif=rest[0])
        return self._advance(turn)

    def _on_e(self, turn: Turn, rest: list[str]) -> list[Reply]:
        if not rest or turn.session.get(Espace, rest[0]) is None:
            return [self._expired(turn)]
        turn.update(espace=rest[0], day=None, start=None)
        return self._advance(turn)

    def _on_d(self, turn: Turn, rest: list[str]) -> list[Reply]:
        if not rest or not rest[0].isdigit() or len(rest[0]) != 8:
            return [self._expired(turn)]
        turn.update(day=rest[0], start=None, want_time=None)
        return self._advance(turn)

    def _on_more(self, turn: Turn, rest: list[str]) -> list[Reply]:
        data = turn.data
        if not rest or not data.get("motif") or not data.get("espace"):
            return [self._expired(turn)]
        after = datetime.strptime(rest[0], "%Y%m%d").date() if rest[0].isdigit() else None
        slots = search(
            turn.session,
            load_config().rules,
            turn.now,
            espace_ids=[data["espace"]],
            motif_ids=[data["motif"]],
        )
        turn.goto("day")
        return [views.ask_day(turn, slots, after=after)]

    def _on_days(self, turn: Turn, rest: list[str]) -> list[Reply]:
        turn.update(day=None, start=None, want_time=None)
        return self._advance(turn)

    def _on_t(self, turn: Turn, rest: list[str]) -> list[Reply]:
        start = decode_start(rest[0]) if rest else None
        if start is None:
            return [self._expired(turn)]
        day = start.astimezone(PARIS).date()
        turn.update(day=f"{day:%Y%m%d}", start=start.strftime("%Y%m%d%H%M"))
        return self._advance(turn)

    def _on_ok(self, turn: Turn, rest: list[str]) -> list[Reply]:
        return actions.confirm_booking(self, turn)

    def _on_mv(self, turn: Turn, rest: list[str]) -> list[Reply]:
        return actions.start_move(self, turn, rest)

    def _on_cx(self, turn: Turn, rest: list[str]) -> list[Reply]:
        return actions.ask_cancel(self, turn, rest)

    def _on_cxok(self, turn: Turn, rest: list[str]) -> list[Reply]:
        return actions.do_cancel(self, turn, rest)

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

    def _on_no(self, turn: Turn, rest: list[str]) -> list[Reply]:
        return actions.cannot_come(self, turn, rest)

    def _on_pick(self, turn: Turn, rest: list[str]) -> list[Reply]:
        if len(rest) != 3 or turn.session.get(Motif, rest[0]) is None:
            return [self._expired(turn)]
        start = decode_start(rest[2])
        if turn.session.get(Espace, rest[1]) is None or start is None:
            return [self._expired(turn)]
        day = start.astimezone(PARIS).date()
        turn.enter(
            self.name,
            "time",
            motif=rest[0],
            espace=rest[1],
            day=f"{day:%Y%m%d}",
            start=start.strftime("%Y%m%d%H%M"),
        )
        return self._advance(turn)

    def _on_go(self, turn: Turn, rest: list[str]) -> list[Reply]:
        if len(rest) != 2 or turn.session.get(Motif, rest[0]) is None:
            return [self._expired(turn)]
        if turn.session.get(Espace, rest[1]) is None:
            return [self._expired(turn)]
        turn.enter(self.name, "day", motif=rest[0], espace=rest[1])
        return self._advance(turn)

    def _on_wl(self, turn: Turn, rest: list[str]) -> list[Reply]:
        if len(rest) != 2 or turn.session.get(Motif, rest[0]) is None:
            return [self._expired(turn)]
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

    def _choose_existing(self, turn: Turn, action: str) -> list[Reply]:
        bookings = upcoming(turn.session, turn.person.id, turn.now)
        if len(bookings) == 1:
            return self.on_button(turn, [action, str(bookings[0].id)])
        turn.finish()
        return [views.my_list(turn)]
