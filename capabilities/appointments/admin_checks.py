"""What an agenda edit would break: problems to show on the form, bookings it leaves out.

Used by :mod:`.admin`. Messages are French ``N_`` templates with named fields,
rendered by the caller through gettext (:meth:`Problem.text`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from capabilities.appointments.slots import recurs_on
from core.clock import PARIS
from core.i18n import N_, N_plural
from store import repo_agenda_admin, repo_appointments
from store.appointments import Booking, OpeningPeriod
from store.db import Session

Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]
WEEKDAY_NAMES = (
    N_("lundi"),
    N_("mardi"),
    N_("mercredi"),
    N_("jeudi"),
    N_("vendredi"),
    N_("samedi"),
    N_("dimanche"),
)
TRANSLATED_FIELDS = ("day",)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a form: the field it belongs to and a sentence for the admin."""

    key: str  # the form field it belongs to
    message: str
    params: dict[str, object] = field(default_factory=dict)
    plural: str = ""  # with ``params["count"]``: the form ngettext picks for other counts

    @classmethod
    def counted(cls, key: str, forms: tuple[str, str], count: int, **params: object) -> Problem:
        """A sentence about ``count`` things, in both forms (:func:`core.i18n.N_plural`)."""
        return cls(key, forms[0], {"count": count, **params}, plural=forms[1])

    def text(self, _: Gettext, ngettext: Ngettext | None = None) -> str:
        """The sentence in the reader's language (the right plural when ``ngettext`` is
        given; French rules otherwise)."""
        values = {
            key: _(value) if key in TRANSLATED_FIELDS and isinstance(value, str) else value
            for key, value in self.params.items()
        }
        count = self.params.get("count")
        if self.plural and isinstance(count, int):
            if ngettext is not None:
                return ngettext(self.message, self.plural, count).format(**values)
            return _(self.message if count < 2 else self.plural).format(**values)
        return _(self.message).format(**values)


class AgendaError(Exception):
    """The edit is refused; nothing was written."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)


LEFT_OUT = N_plural(
    "{count} rendez-vous déjà pris (le {first}) ne serait plus couvert. Il reste réservé : "
    "confirmez pour continuer, puis prévenez la personne si besoin.",
    "{count} rendez-vous déjà pris (le premier le {first}) ne seraient plus couverts. Ils "
    "restent réservés : confirmez pour continuer, puis prévenez les personnes si besoin.",
)


class NeedsConfirmation(Exception):
    """Future bookings would no longer be covered: the admin must confirm with their number."""

    def __init__(self, bookings: Sequence[Booking]) -> None:
        self.count = len(bookings)
        first = min(b.starts_at for b in bookings).astimezone(PARIS)
        when = f"{first:%d/%m/%Y} à {first.hour} h {first.minute:02d}"
        self.problem = Problem.counted("confirm", LEFT_OUT, self.count, first=when)
        super().__init__(self.problem.message)


def confirm_or_raise(bookings: Sequence[Booking], confirmed: int | None) -> None:
    """Go on when no booking is affected, or when the admin confirmed exactly this number
    (a number that changed meanwhile asks again)."""
    if bookings and confirmed != len(bookings):
        raise NeedsConfirmation(bookings)


def hm(moment: time) -> str:
    """ "9 h 00"."""
    return f"{moment.hour} h {moment.minute:02d}"


def future_bookings(
    session: Session,
    now: datetime,
    *,
    espace_id: str | None = None,
    motif_id: str | None = None,
) -> list[Booking]:
    """Active bookings still to come, of one Espace and/or one motif."""
    return repo_appointments.future_bookings(session, now, espace_id=espace_id, motif_id=motif_id)


def dates_meet(
    first_from: date | None,
    first_until: date | None,
    then_from: date | None,
    then_until: date | None,
) -> bool:
    """Do two validity windows (``None``: open-ended) share a day?"""
    return (first_from is None or then_until is None or first_from <= then_until) and (
        then_from is None or first_until is None or then_from <= first_until
    )


@dataclass(frozen=True)
class PeriodShape:
    """A weekly period as the checks see it (a stored row or a form not saved yet)."""

    espace_id: str
    weekday: int
    start: time
    end: time
    motif_id: str | None  # None: individual appointments
    motif_ids: frozenset[str]
    staff_ids: frozenset[int]
    valid_from: date | None
    valid_until: date | None

    @classmethod
    def of(cls, session: Session, row: OpeningPeriod) -> PeriodShape:
        """The shape of a stored period (with its staff)."""
        staff = repo_agenda_admin.period_staff_ids(session, row.id)
        return cls(
            row.espace_id,
            row.weekday,
            row.start,
            row.end,
            row.motif_id,
            frozenset(row.motif_ids or ()),
            frozenset(staff),
            row.valid_from,
            row.valid_until,
        )

    def covers(self, booking: Booking) -> bool:
        """Is this booking one of the slots this period offers?"""
        start = booking.starts_at.astimezone(PARIS)
        end = booking.ends_at.astimezone(PARIS)
        if booking.espace_id != self.espace_id or not recurs_on(
            start.date(), self.weekday, self.valid_from, self.valid_until
        ):
            return False
        if self.motif_id is not None:
            return booking.motif_id == self.motif_id and start.time() == self.start
        return (
            booking.seat is None
            and booking.staff_id in self.staff_ids
            and (not self.motif_ids or booking.motif_id in self.motif_ids)
            and self.start <= start.time()
            and end.date() == start.date()
            and end.time() <= self.end
        )

    def meets(self, other: PeriodShape) -> bool:
        """Same weekday, overlapping hours and overlapping validity dates."""
        return (
            self.weekday == other.weekday
            and self.start < other.end
            and other.start < self.end
            and dates_meet(self.valid_from, self.valid_until, other.valid_from, other.valid_until)
        )


def most_seats(session: Session, now: datetime, shapes: Sequence[PeriodShape]) -> int:
    """The most seats booked in one future session of these collective periods."""
    seats: dict[tuple[str, datetime], set[int]] = {}
    for shape in shapes:
        for booking in future_bookings(
            session, now, espace_id=shape.espace_id, motif_id=shape.motif_id
        ):
            if shape.covers(booking):
                seats.setdefault((booking.espace_id, booking.starts_at), set()).add(booking.id)
    return max((len(ids) for ids in seats.values()), default=0)


def left_out(
    session: Session, now: datetime, before: PeriodShape, after: PeriodShape | None
) -> list[Booking]:
    """Future bookings ``before`` covers and ``after`` (None: the period removed) does not."""
    return [
        booking
        for booking in future_bookings(session, now, espace_id=before.espace_id)
        if before.covers(booking) and (after is None or not after.covers(booking))
    ]


def overlaps(
    shape: PeriodShape,
    others: Iterable[tuple[int, PeriodShape]],
    staff_names: dict[int, str],
    espace_names: dict[str, str],
    motif_labels: dict[str, str],
) -> list[Problem]:
    """A member of staff in two places at once, or two sessions at once in one Espace."""
    problems: list[Problem] = []
    for period_id, other in others:
        if not shape.meets(other):
            continue
        when = {
            "day": WEEKDAY_NAMES[other.weekday],
            "start": hm(other.start),
            "end": hm(other.end),
            "espace": espace_names.get(other.espace_id, other.espace_id),
            "number": period_id,
        }
        if shape.motif_id is None and other.motif_id is None:
            for staff_id in sorted(shape.staff_ids & other.staff_ids):
                problems.append(
                    Problem(
                        "staff",
                        N_(
                            "{name} est déjà présent(e) le {day} de {start} à {end} "
                            "({espace}, plage n° {number}) : les plages se chevauchent."
                        ),
                        {"name": staff_names.get(staff_id, str(staff_id)), **when},
                    )
                )
        elif shape.motif_id and other.motif_id and shape.espace_id == other.espace_id:
            problems.append(
                Problem(
                    "start",
                    N_(
                        "La séance « {motif} » a déjà lieu le {day} de {start} à {end} dans "
                        "cet Espace (plage n° {number}) : les séances se chevauchent."
                    ),
                    {"motif": motif_labels.get(other.motif_id, other.motif_id), **when},
                )
            )
    return problems
