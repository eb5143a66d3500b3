"""Reminders: 48 h before (within allowed hours) and the morning of the day.

:func:`plan_reminders` is pure (bookings + now → planned messages); the scheduler's periodic
tick calls :func:`enqueue_due_reminders`, which writes them to the outbox with idempotency
keys ``reminder48:<booking>`` / ``reminderday:<booking>`` (planning twice is harmless).
No message between 20:00 and 08:30 nor on Sundays and public holidays, except the day-of
reminder (``ignore_quiet_hours``), which is still never sent before 08:30.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from capabilities.appointments.describe import place_of, place_text
from core.calendar import QuietHours
from core.clock import PARIS
from core.i18n import format_clock, format_when, gettext_for, resolve_locale
from core.messages import Button, Reply
from store import repo_appointments, repo_programme
from store.appointments import Booking, Motif
from store.db import Session
from store.outbox import enqueue

MORNING = time(8, 30)
LOOKAHEAD = timedelta(days=3)
RULE_48H = "reminder_48h"
RULE_DAY = "reminder_day"


@dataclass(frozen=True)
class BookingRef:
    """What the planner needs of a booking."""

    id: int
    person_id: int
    starts_at: datetime
    created_at: datetime


@dataclass(frozen=True)
class PlannedMessage:
    """A reminder to put in the outbox."""

    key: str
    booking_id: int
    person_id: int
    rule: str
    not_before: datetime
    expires_at: datetime
    ignore_quiet_hours: bool


def reminder_keys(booking_id: int) -> list[str]:
    """The outbox keys of a booking's reminders (to cancel them)."""
    return [f"reminder48:{booking_id}", f"reminderday:{booking_id}"]


def plan_reminders(
    bookings: Iterable[BookingRef], now: datetime, quiet: QuietHours | None = None
) -> list[PlannedMessage]:
    """The reminders due for these bookings, each at an allowed moment (pure)."""
    quiet = quiet or QuietHours()
    planned = []
    for b in bookings:
        if b.starts_at <= now:
            continue
        local = b.starts_at.astimezone(PARIS)
        morning = datetime.combine(local.date(), MORNING, tzinfo=PARIS)
        target = b.starts_at - timedelta(hours=48)
        if b.created_at <= target:  # booked more than 48 h ahead
            moment = quiet.next_allowed(max(target, now)).astimezone(UTC)
            if moment.astimezone(PARIS).date() < local.date():
                planned.append(
                    PlannedMessage(
                        f"reminder48:{b.id}", b.id, b.person_id, RULE_48H, moment, morning, False
                    )
                )
        day_of = max(morning, now).astimezone(UTC)
        if b.created_at < morning and day_of <= b.starts_at - timedelta(minutes=30):
            planned.append(
                PlannedMessage(
                    f"reminderday:{b.id}", b.id, b.person_id, RULE_DAY, day_of, b.starts_at, True
                )
            )
    return planned


def _reply(session: Session, booking: Booking, rule: str, locale: str) -> Reply:
    _ = gettext_for(locale).gettext
    motif = session.get(Motif, booking.motif_id)
    place = place_of(session, booking.espace_id)
    label = motif.label if motif else ""
    if rule == RULE_DAY:
        head = _("C'est aujourd'hui : {motif} à {clock}, {espace}.").format(
            motif=label, clock=format_clock(booking.starts_at, locale), espace=place.name
        )
    else:
        head = _("Rappel : {motif}, {when}, {espace}.").format(
            motif=label, when=format_when(booking.starts_at, locale), espace=place.name
        )
    return Reply(
        text=head + "\n" + place_text(place, _) + "\n" + _("Vous venez ?"),
        buttons=(
            (
                Button(_("Je viens"), f"appt:yes:{booking.id}"),
                Button(_("Je ne peux pas"), f"appt:no:{booking.id}"),
            ),
        ),
    )


def after_reminder_sent(
    session: Session, person_id: int, rule: str, key: str, at: datetime
) -> None:
    """Called by the dispatcher once a reminder went out: the next typed « oui » / « non »
    answers its « Je viens » / « Je ne peux pas » buttons, unless the person is busy elsewhere."""
    if rule not in (RULE_48H, RULE_DAY):
        return
    booking_id = key.rsplit(":", 1)[-1]
    if not booking_id.isdigit():
        return
    conversation = repo_programme.conversation_of(session, person_id)
    if conversation is not None and conversation.flow is None and conversation.handoff == "bot":
        conversation.flow, conversation.step = "appt", "reminded"
        conversation.data = {"booking": booking_id}


def locale_of(session: Session, person_id: int) -> str:
    """The language to write to a person in."""
    person = repo_appointments.person_with_accounts(session, person_id)
    language = person.accounts[0].language_code if person and person.accounts else None
    return resolve_locale(person.locale if person else None, language)


def enqueue_reminders(session: Session, bookings: list[Booking], now: datetime) -> int:
    """Write the planned reminders of these bookings to the outbox; how many were new."""
    by_id = {b.id: b for b in bookings if b.person_id is not None}
    refs = [BookingRef(b.id, b.person_id, b.starts_at, b.created_at) for b in by_id.values()]  # type: ignore[arg-type]
    count = 0
    for planned in plan_reminders(refs, now):
        booking = by_id[planned.booking_id]
        reply = _reply(session, booking, planned.rule, locale_of(session, planned.person_id))
        count += enqueue(
            session,
            key=planned.key,
            person_id=planned.person_id,
            rule=planned.rule,
            replies=[reply],
            not_before=planned.not_before,
            expires_at=planned.expires_at,
            ignore_quiet_hours=planned.ignore_quiet_hours,
        )
    return count


def enqueue_due_reminders(session: Session, now: datetime) -> int:
    """The scheduler's tick: plan the reminders of every booking in the next 3 days."""
    bookings = repo_appointments.starting_between(session, now, now + LOOKAHEAD)
    return enqueue_reminders(session, bookings, now)
