"""The booking conversation's steps, its declared moves, and the step that asks what is missing.

Shared by :mod:`.flow` (the buttons and free text) and :mod:`.actions` (the steps that change
bookings), which both move the conversation on with :func:`advance`. The diagram is
``flow.mmd`` beside the flow (``python -m capabilities.conversation.diagrams --write``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from capabilities.appointments import contact, views
from capabilities.appointments.agenda import load_calendar, search
from capabilities.appointments.config import load_config
from capabilities.appointments.demo import is_demo
from capabilities.appointments.describe import place_of
from capabilities.appointments.referent import referent_for
from capabilities.appointments.slots import Slot, day_closed_reason
from capabilities.conversation.keyboards import footer_row
from capabilities.conversation.machine import ANY, Machine, moves
from capabilities.conversation.turn import Turn
from core.clock import PARIS
from core.i18n import format_clock, format_day, format_when, ngettext_for
from core.messages import Button, Reply
from store import repo_appointments
from store.appointments import Booking, Motif

NAME = "appt"  # the flow's name and payload prefix


class Step(StrEnum):
    """Where the booking conversation is (``conversations.step``)."""

    MOTIF = "motif"
    ESPACE = "espace"
    FULL = "full"
    DAY = "day"
    TIME = "time"
    CONFIRM = "confirm"
    CANCEL = "cancel"
    NAME = "name"  # « Quel est votre prénom ? » (skippable)
    PHONE = "phone"  # a phone number for the Espace, only with an explicit yes
    REMINDED = "reminded"  # a reminder « Vous venez ? » went out: a typed oui/non answers it


class Action(StrEnum):
    """The first argument of ``appt:`` payloads (old buttons keep these values)."""

    MENU = "menu"
    NEW = "new"
    MOTIF = "m"
    ESPACE = "e"
    DAY = "d"
    MORE = "more"
    DAYS = "days"
    TIME = "t"
    OK = "ok"
    MOVE = "mv"
    CANCEL = "cx"
    CANCEL_OK = "cxok"
    YES = "yes"
    NO = "no"
    PICK = "pick"
    GO = "go"
    WAITLIST = "wl"
    NAME = "nm"
    PHONE = "ph"


# Actions that only make sense while the conversation is in the booking flow.
STATEFUL = frozenset(
    {
        Action.MOTIF,
        Action.ESPACE,
        Action.DAY,
        Action.MORE,
        Action.DAYS,
        Action.TIME,
        Action.OK,
        Action.CANCEL_OK,
        Action.WAITLIST,
        Action.NAME,
        Action.PHONE,
    }
)

MACHINE = Machine(
    NAME,
    Step,
    moves(
        (None, Step.MOTIF, "book_appointment, appt:new (free text pre-fills what it can)"),
        (Step.MOTIF, None, "already an upcoming one for this motif: offers appt:mv / appt:cx"),
        (Step.MOTIF, Step.ESPACE, "appt:m:<motif>"),
        (Step.ESPACE, Step.FULL, "appt:e:<espace>, no free slot in the horizon"),
        (Step.FULL, None, "appt:wl: waiting list, told in order when a place frees up"),
        (Step.FULL, Step.DAY, "appt:e:<another Espace>"),
        (Step.ESPACE, Step.DAY, "appt:e:<espace>"),
        (Step.DAY, Step.DAY, "past, impossible, holiday, closed or full day: buttons again"),
        (Step.DAY, Step.TIME, "appt:d:<YYYYMMDD> or typed (« jeudi »)"),
        (Step.TIME, Step.TIME, "time not free: a clear answer, buttons again"),
        (Step.TIME, Step.DAY, "appt:days (another day)"),
        (Step.TIME, Step.CONFIRM, "appt:t:<utc> or typed (« 14h »), when moving a booking"),
        (Step.TIME, Step.NAME, "appt:t:<utc> or typed (« 14h »): « Quel est votre prénom ? »"),
        (Step.NAME, Step.NAME, "typed text that is not a first name: kindly asked again"),
        (Step.NAME, Step.PHONE, "appt:nm:known|skip or a typed first name"),
        (Step.NAME, Step.CONFIRM, "the same, when a number was given or the agenda is an example"),
        (Step.PHONE, Step.PHONE, "appt:ph:yes (where to type it), a number that cannot be read"),
        (Step.PHONE, Step.CONFIRM, "a typed French number (kept with consent), appt:ph:no"),
        (Step.CONFIRM, Step.DAY, "appt:days (another moment)"),
        (Step.CONFIRM, Step.TIME, "appt:ok but the slot was taken meanwhile (nothing changed)"),
        (Step.CONFIRM, None, "appt:ok: booked under the agenda lock, venue + .ics, reminders"),
        (None, Step.DAY, "appt:mv:<id> (old slot kept until confirmed), appt:no:<id>, appt:go"),
        (None, Step.TIME, "appt:pick:<motif>:<espace>:<utc> (a slot offered by a notice)"),
        (None, Step.CANCEL, "appt:cx:<id>, cancel_appointment (early enough)"),
        (Step.CANCEL, None, "appt:cxok:<id>: cancelled, reminders dropped, waiting list told"),
        (None, Step.REMINDED, "a reminder went out to a free conversation (after_reminder_sent)"),
        (Step.REMINDED, None, "typed oui: what « Je viens » does; anything else: read as usual"),
        (Step.REMINDED, Step.DAY, "typed non: what « Je ne peux pas » does (slot freed)"),
        (ANY, Step.MOTIF, "free text or a choice: advance() asks the first missing piece"),
        (ANY, Step.ESPACE, ""),
        (ANY, Step.FULL, ""),
        (ANY, Step.DAY, ""),
        (ANY, Step.TIME, ""),
        (ANY, Step.NAME, ""),
        (ANY, Step.PHONE, ""),
        (ANY, Step.CONFIRM, ""),
        (ANY, Step.CANCEL, "appt:cx:<id> from the list"),
        (ANY, None, "appt:menu, my_appointments, a stale button: the list of appointments"),
    ),
    (
        "The booking conversation (capabilities/appointments/flow.py). Payload prefix: appt:",
        "Stamped buttons (~nonce) expire when the conversation moves on, ids are checked.",
        "appt:yes:<id> (« Je viens », from a reminder) answers without moving.",
    ),
)


def advance(turn: Turn, intro: str = "") -> list[Reply]:
    """Ask for the first missing piece (motif, Espace, day, time), then the summary."""
    _ = turn._
    data = turn.data
    if not data.get("motif"):
        turn.goto(Step.MOTIF)
        return [views.ask_motif(turn, intro)]
    existing = duplicate(turn, data["motif"], data.get("move"))
    if existing is not None:
        turn.finish()
        return [existing]
    if not data.get("espace"):
        turn.goto(Step.ESPACE)
        return [views.ask_espace(turn, held_at(turn, data["motif"]))]
    rules = load_config().rules
    slots = search(
        turn.session,
        rules,
        turn.now,
        espace_ids=[data["espace"]],
        motif_ids=[data["motif"]],
        staff_id=referent_for(turn.session, turn.person.id, data["motif"]),
    )
    if not slots:
        offered = held_at(turn, data["motif"])
        if offered and data["espace"] not in offered:
            turn.update(espace=None, day=None, start=None)
            turn.goto(Step.ESPACE)
            return [views.not_held_here(turn, data["motif"], data["espace"], offered)]
        turn.goto(Step.FULL)
        return [_full(turn, data["motif"], data["espace"])]
    if not data.get("day"):
        problem = _wanted_day(turn, slots)
        if problem is not None or not turn.data.get("day"):
            turn.goto(Step.DAY)
            return [views.ask_day(turn, slots, problem or intro)]
        data = turn.data
    day_slots = [s for s in slots if f"{s.local_day:%Y%m%d}" == data["day"]]
    if not day_slots:
        turn.goto(Step.DAY, day=None, start=None)
        return [views.ask_day(turn, slots, _("Il n'y a plus de place libre ce jour-là."))]
    slot = _wanted_slot(turn, day_slots)
    if slot is None:
        problem = _time_problem(turn, day_slots)
        near = nearest(day_slots, data.get("want_time")) if not data.get("start") else []
        if near:  # "vers 14h" taken: the closest free times first, not the whole day
            problem = f"{problem}\n{_('Les heures libres les plus proches :')}"
        turn.goto(Step.TIME, start=None, want_time=None)
        return [views.ask_time(turn, near or day_slots, problem or intro)]
    start = slot.start.strftime("%Y%m%d%H%M")
    if not data.get("move"):  # a move keeps who is coming
        if not data.get("name_asked"):
            turn.goto(Step.NAME, start=start)
            return [contact.name_question(turn, intro)]
        # No number for an example agenda: nobody would call (a demonstration, :mod:`.demo`).
        real = not is_demo(turn, data["espace"])
        if real and not data.get("phone_asked") and not contact.has_phone(turn):
            turn.goto(Step.PHONE, start=start)
            return [contact.phone_question(turn)]
    turn.goto(Step.CONFIRM, start=start)
    moving = turn.session.get(Booking, data["move"]) if data.get("move") else None
    return [views.ask_confirm(turn, slot, moving)]


def _wanted_day(turn: Turn, slots: list[Slot]) -> str | None:
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
    ngettext = ngettext_for(turn.locale)
    if wanted > turn.now.astimezone(PARIS).date() + timedelta(days=rules.horizon_days):
        return ngettext(
            "Je ne peux réserver que dans le prochain jour.",
            "Je ne peux réserver que dans les {n} prochains jours.",
            rules.horizon_days,
        ).format(n=rules.horizon_days)
    reason = day_closed_reason(load_calendar(turn.session, rules), data["espace"], wanted)
    if reason == "holiday":
        return _("Le {day} est un jour férié : l'Espace est fermé.").format(day=shown)
    if reason is not None:
        return _("L'Espace ne reçoit pas de rendez-vous le {day}.").format(day=shown)
    if not any(s.local_day == wanted for s in slots):
        return _("Il n'y a plus de place libre le {day}.").format(day=shown)
    turn.update(day=f"{wanted:%Y%m%d}")
    return None


def _wanted_slot(turn: Turn, day_slots: list[Slot]) -> Slot | None:
    data = turn.data
    if data.get("start"):
        return next((s for s in day_slots if s.start.strftime("%Y%m%d%H%M") == data["start"]), None)
    if data.get("want_time"):
        return next(
            (s for s in day_slots if f"{s.start.astimezone(PARIS):%H:%M}" == data["want_time"]),
            None,
        )
    return None


def nearest(day_slots: list[Slot], wanted: str | None, count: int = 3) -> list[Slot]:
    """The ``count`` free slots closest to the wanted "HH:MM", in time order."""
    if not wanted or not day_slots:
        return []
    hour, minute = map(int, wanted.split(":"))
    target = hour * 60 + minute

    def distance(slot: Slot) -> int:
        local = slot.start.astimezone(PARIS)
        return abs(local.hour * 60 + local.minute - target)

    return sorted(sorted(day_slots, key=distance)[:count], key=lambda slot: slot.start)


def _time_problem(turn: Turn, day_slots: list[Slot]) -> str | None:
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


def duplicate(turn: Turn, motif_id: str, moving: int | None) -> Reply | None:
    """The "you already have one" answer when the motif allows one booking at a time."""
    if not load_config().rules.one_active_per_motif or moving:
        return None
    existing = repo_appointments.active_of_motif(turn.session, turn.person.id, motif_id, turn.now)
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


def held_at(turn: Turn, motif_id: str) -> list[str]:
    """The Espaces where a motif is held at all (collective sessions, individual openings)."""
    calendar = load_calendar(turn.session, load_config().rules)
    spec = calendar.motifs.get(motif_id)
    if spec is None:
        return []
    if spec.kind == "collective":
        found = {s.espace_id for s in calendar.sessions if s.motif_id == motif_id}
    else:
        found = {
            o.espace_id for o in calendar.openings if not o.motif_ids or motif_id in o.motif_ids
        }
    return sorted(found)


def _full(turn: Turn, motif_id: str, espace_id: str) -> Reply:
    _ = turn._
    motif = turn.session.get(Motif, motif_id)
    rules = load_config().rules
    ngettext = ngettext_for(turn.locale)
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
        text=ngettext(
            "Il n'y a plus de place libre pour « {motif} » à l'{espace} demain.",
            "Il n'y a plus de place libre pour « {motif} » à l'{espace} dans les "
            "{n} prochains jours.",
            rules.horizon_days,
        ).format(
            motif=motif.label if motif else motif_id,
            espace=place_of(turn.session, espace_id).name,
            n=rules.horizon_days,
        ),
        buttons=tuple(rows),
    )


def expired(turn: Turn) -> Reply:
    """A button that no longer matches the conversation: nothing changed, the list."""
    return views.my_list(turn, turn._("Ce bouton n'est plus valable. Rien n'a été modifié."))
