"""The replies of the booking conversation: choices as buttons, the confirmation, the list."""

from __future__ import annotations

from datetime import date, datetime, time

from capabilities.appointments import contact
from capabilities.appointments.booking import upcoming
from capabilities.appointments.config import load_config
from capabilities.appointments.demo import booking_notice, is_demo, with_offer_notice
from capabilities.appointments.describe import (
    bring_text,
    encode_start,
    place_of,
    place_text,
)
from capabilities.appointments.ics import invitation
from capabilities.appointments.slots import Slot
from capabilities.conversation.keyboards import footer_row
from capabilities.conversation.turn import Turn
from core.clock import PARIS
from core.i18n import format_clock, format_day, format_when
from core.messages import Button, Document, Reply
from core.text import fold
from store import repo_agenda
from store.appointments import Booking, Espace, Motif

Rows = list[tuple[Button, ...]]


def motifs(turn: Turn) -> list[Motif]:
    """Bookable motifs, in the configured order."""
    return repo_agenda.motifs_in_order(turn.session)


def espaces(turn: Turn) -> list[Espace]:
    """Open Espaces."""
    return repo_agenda.open_espaces(turn.session)


def nearest_espace(turn: Turn) -> str | None:
    """The Espace for the person's commune, if they told us where they live."""
    commune = fold(turn.person.commune or "")
    if not commune:
        return None
    for espace_id, communes in load_config().nearest.items():
        if any(fold(c) == commune for c in communes):
            return espace_id
    return None


def match_espace(turn: Turn, text: str) -> str | None:
    """An Espace named in free text ("à la gare", "Saint-Pol")."""
    plain = fold(text).replace("-", " ")
    for espace in espaces(turn):
        names = {fold(espace.id).replace("_", " "), fold(espace.commune).replace("-", " ")}
        if espace.id == "gare":
            names.add("gare")
        if espace.id == "saint_pol":
            names.update({"saint pol", "st pol"})
        if any(name and name in plain for name in names):
            return espace.id
    return None


def ask_motif(turn: Turn, intro: str = "") -> Reply:
    """Which kind of appointment."""
    rows: Rows = [(Button(m.label, turn.stamp(f"appt:m:{m.id}")),) for m in motifs(turn)]
    rows.append(footer_row(turn))
    text = (intro + "\n" if intro else "") + turn._("Pour quoi voulez-vous un rendez-vous ?")
    return Reply(text=text, buttons=tuple(rows))


def ask_espace(turn: Turn, held_at: list[str] | None = None) -> Reply:
    """Which Espace (the nearest first when we know the commune), among those holding it."""
    _ = turn._
    nearest = nearest_espace(turn)
    rows: Rows = []
    shown = [e for e in espaces(turn) if not held_at or e.id in held_at]
    for espace in sorted(shown, key=lambda e: e.id != nearest):
        label = espace.name
        if espace.id == nearest:
            label = _("{name} (le plus proche de chez vous)").format(name=espace.name)
        rows.append((Button(label, turn.stamp(f"appt:e:{espace.id}")),))
    rows.append(footer_row(turn))
    return Reply(text=_("Dans quel Espace ?"), buttons=tuple(rows))


def not_held_here(turn: Turn, motif_id: str, espace_id: str, held_at: list[str]) -> Reply:
    """A motif asked at an Espace that does not hold it: say so, and where it is held."""
    _ = turn._
    motif = turn.session.get(Motif, motif_id)
    places = {e.id: e for e in espaces(turn)}
    here = places.get(espace_id)
    there = [places[i] for i in held_at if i in places]
    text = _("« {motif} » n'a pas lieu à l'{espace}.").format(
        motif=motif.label if motif else motif_id, espace=here.name if here else espace_id
    )
    if there:
        text += "\n" + _("Il a lieu à : {places}.").format(places=", ".join(e.name for e in there))
    rows: Rows = [(Button(e.name, turn.stamp(f"appt:e:{e.id}")),) for e in there]
    rows.append(footer_row(turn))
    return Reply(text=text, buttons=tuple(rows))


def ask_day(turn: Turn, slots: list[Slot], intro: str = "", after: date | None = None) -> Reply:
    """The next days that have a free slot, as buttons."""
    _ = turn._
    limit = load_config().rules.max_day_buttons
    days: list[date] = []
    for slot in slots:
        if (after is None or slot.local_day > after) and slot.local_day not in days:
            days.append(slot.local_day)
    shown = days[:limit]
    rows: Rows = [
        tuple(
            Button(format_day(_noon(d), turn.locale), turn.stamp(f"appt:d:{d:%Y%m%d}"))
            for d in shown[i : i + 2]
        )
        for i in range(0, len(shown), 2)
    ]
    if len(days) > limit:
        rows.append((Button(_("Plus tard"), turn.stamp(f"appt:more:{shown[-1]:%Y%m%d}")),))
    rows.append(footer_row(turn))
    text = (intro + "\n" if intro else "") + _("Quel jour vous convient ?")
    if slots:
        text = with_offer_notice(turn, slots[0].espace_id, text)
    return Reply(text=text, buttons=tuple(rows))


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=PARIS)


def ask_time(turn: Turn, slots: list[Slot], intro: str = "") -> Reply:
    """The free times of the chosen day."""
    _ = turn._
    limit = load_config().rules.max_time_buttons
    shown = slots[:limit]
    buttons = [
        Button(format_clock(s.start, turn.locale), turn.stamp(f"appt:t:{encode_start(s.start)}"))
        for s in shown
    ]
    rows: Rows = [tuple(buttons[i : i + 3]) for i in range(0, len(buttons), 3)]
    rows.append((Button(_("Un autre jour"), turn.stamp("appt:days")),))
    rows.append(footer_row(turn))
    day = format_day(shown[0].start, turn.locale) if shown else ""
    text = (intro + "\n" if intro else "") + _("À quelle heure, le {day} ?").format(day=day)
    if shown:
        text = with_offer_notice(turn, shown[0].espace_id, text)
    return Reply(text=text, buttons=tuple(rows))


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def ask_confirm(turn: Turn, slot: Slot, moving: Booking | None) -> Reply:
    """The summary before booking: nothing is reserved until "Je confirme"."""
    _ = turn._
    motif = turn.session.get(Motif, slot.motif_id)
    place = place_of(turn.session, slot.espace_id)
    lines = [
        _("Je récapitule :"),
        motif.label if motif else slot.motif_id,
        _capitalised(format_when(slot.start, turn.locale)),
        place.name,
    ]
    if moving is None:
        lines.extend(contact.recap_lines(turn))
    else:
        lines.append(
            _("Votre rendez-vous du {when} sera libéré une fois celui-ci confirmé.").format(
                when=format_when(moving.starts_at, turn.locale)
            )
        )
    if is_demo(turn, slot.espace_id):
        lines.append(booking_notice(turn))
    return Reply(
        text="\n".join(lines),
        buttons=(
            (Button(_("Je confirme"), turn.stamp("appt:ok")),),
            (Button(_("Choisir une autre heure"), turn.stamp("appt:days")),),
            footer_row(turn),
        ),
    )


def booked(turn: Turn, booking: Booking, moved: bool) -> list[Reply]:
    """The confirmation: plain-French date, place (honest), what to bring, venue, .ics."""
    _ = turn._
    motif = turn.session.get(Motif, booking.motif_id)
    place = place_of(turn.session, booking.espace_id)
    head = _("C'est déplacé !") if moved else _("C'est réservé !")
    label = motif.label if motif else booking.motif_id
    demo = is_demo(turn, booking.espace_id)
    if demo:
        head = (
            _("C'est déplacé, pour la démonstration.")
            if moved
            else _("C'est noté, pour la démonstration.")
        )
    parts = [
        head,
        *([booking_notice(turn)] if demo else []),
        f"{label} : {format_when(booking.starts_at, turn.locale)}",
        place.name,
        place_text(place, _),
    ]
    bring = bring_text(motif, _)
    if bring:
        parts.append(bring)
    parts.append(
        _(
            "Je vous enverrai un rappel avant le rendez-vous. Pour le déplacer ou l'annuler : "
            "« Mes rendez-vous »."
        )
    )
    replies = [
        Reply(
            text="\n".join(parts),
            buttons=((Button(_("Mes rendez-vous"), "appt:menu"),), footer_row(turn)),
        )
    ]
    if place.venue is not None:
        replies.append(Reply(venue=place.venue))
    description = "\n".join(filter(None, [place_text(place, _), bring]))
    content = invitation(
        uid=f"rdv-{booking.id}@20000emplois.assistant",
        start=booking.starts_at,
        end=booking.ends_at,
        summary=(_("DÉMONSTRATION") + " — " if demo else "") + f"{label} ({place.name})",
        location=place.address or place.commune,
        description=description,
        now=turn.now,
    )
    local = booking.starts_at.astimezone(PARIS)
    replies.append(
        Reply(
            document=Document(
                f"rendez-vous-{local:%Y-%m-%d-%Hh%M}.ics",
                content,
                "text/calendar",
                _("Ajoutez-le à votre agenda"),
            )
        )
    )
    return replies


def my_list(turn: Turn, intro: str = "") -> Reply:
    """ "Mes rendez-vous": each upcoming one with "Déplacer" and "Annuler"."""
    _ = turn._
    bookings = upcoming(turn.session, turn.person.id, turn.now)
    rows: Rows = []
    if not bookings:
        text = _("Vous n'avez pas de rendez-vous à venir.")
    else:
        lines = [_("Vos rendez-vous à venir :")]
        for number, booking in enumerate(bookings, start=1):
            motif = turn.session.get(Motif, booking.motif_id)
            place = place_of(turn.session, booking.espace_id)
            lines.append(
                f"{number}. {format_when(booking.starts_at, turn.locale)} — "
                f"{motif.label if motif else ''}, {place.name}"
            )
            rows.append(
                (
                    Button(_("Déplacer le n° {n}").format(n=number), f"appt:mv:{booking.id}"),
                    Button(_("Annuler le n° {n}").format(n=number), f"appt:cx:{booking.id}"),
                )
            )
        text = "\n".join(lines)
    rows.append((Button(_("Prendre un rendez-vous"), "appt:new"),))
    rows.append(footer_row(turn))
    return Reply(text=(intro + "\n" if intro else "") + text, buttons=tuple(rows))
