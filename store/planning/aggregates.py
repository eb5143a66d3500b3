"""What the cadence knows about each participant, aggregated in SQL (one row per person).

One query computes, per open participant, the last contact, the first and next physical
meeting, the meetings of this and last Paris month, reachability and language — counting the
meetings counsellors record (``ContactEvent`` of kind ``physical``) and those of the
appointments capability (a ``(person_id, starts_at)`` query passed in: ``meetings``). The
``due`` and ``report`` commands read it row by row; the planner copies it into a temporary
table and runs the bulk rules on it in SQL (:mod:`.set_rules`). The month bounds are
computed by ``capabilities.programme.aggregates.bounds``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select, true
from sqlalchemy.orm import Session

from core.i18n import DEFAULT_LOCALE, KNOWN, OFFERED
from store.models import ChannelAccount, Person
from store.programme import CONTACT_KINDS, ContactEvent, Participant

OPEN_STATUSES = ("invited", "active")
BATCH = 5000

# ``(person_id, starts_at)`` rows of in-person meetings (the appointments capability's query).
MeetingsQuery = Select[Any]

# The columns of :func:`aggregate_query`, in order (the planner's temporary table has them too).
COLUMNS = (
    "id",
    "name",
    "person_id",
    "counsellor_id",
    "orientation_on",
    "programme_start",
    "programme_end",
    "cer_signed_on",
    "diagnosis_3m_on",
    "diagnosis_final_on",
    "status",
    "last_checkin_at",
    "locale",
    "reachable",
    "last_contact_at",
    "first_meeting_at",
    "next_meeting_at",
    "this_month",
    "last_month",
)


@dataclass(frozen=True)
class IdRange:
    """The participants of one batch of a round: ``start <= id < stop`` (None: no bound on
    that side). ``first``: the batch that also plans what is per counsellor."""

    start: int | None
    stop: int | None
    first: bool = True

    def holds(self, column: Any) -> ColumnElement[bool]:
        """``column`` (a participant id) within the range."""
        bounds = [column >= self.start] if self.start is not None else []
        if self.stop is not None:
            bounds.append(column < self.stop)
        return and_(true(), *bounds)


@dataclass(frozen=True)
class Bounds:
    """The instants one planning round compares timestamps with (Paris months, in UTC)."""

    month: datetime  # this month's first instant
    next_month: datetime
    last_month: datetime
    since: datetime  # appointments considered: from well before last month…
    until: datetime  # …to two months ahead


def _count_between(condition: ColumnElement[bool], at: Any, start: Any, end: Any) -> Any:
    """How many rows meet ``condition`` with ``start <= at < end``."""
    return func.count(case((and_(condition, at >= start, at < end), 1)))


def _later(a: Any, b: Any) -> Any:
    """The later of two nullable timestamps (``GREATEST`` ignoring NULLs, on both dialects)."""
    return case((a.is_(None), b), (b.is_(None), a), (a >= b, a), else_=b)


def _earlier(a: Any, b: Any) -> Any:
    """The earlier of two nullable timestamps."""
    return case((a.is_(None), b), (b.is_(None), a), (a <= b, a), else_=b)


def _locale(chosen: Any, language_code: Any) -> Any:
    """:func:`core.i18n.resolve_locale` in SQL: the choice, the client's language, French."""
    short = func.lower(language_code)
    return case(
        (chosen.in_(KNOWN), chosen),
        *[(or_(short == code, short.like(f"{code}-%")), literal(code)) for code in OFFERED],
        else_=literal(DEFAULT_LOCALE),
    )


def aggregate_query(
    now: datetime,
    b: Bounds,
    meetings_query: MeetingsQuery,
    participant_ids: Sequence[int] | None = None,
    ids: IdRange | None = None,
) -> Select[Any]:
    """One row per open participant with every input of the cadence (see :data:`COLUMNS`);
    ``meetings_query`` gives the appointments' meetings in ``[b.since, b.until)``;
    ``participant_ids`` or ``ids`` keep only those participants (every sub-aggregate too)."""
    at = ContactEvent.occurred_at
    physical = ContactEvent.kind == "physical"
    held = and_(physical, at <= now)
    events_query = select(
        ContactEvent.participant_id.label("pid"),
        func.max(case((and_(ContactEvent.kind.in_(CONTACT_KINDS), at <= now), at))).label(
            "last_contact_at"
        ),
        func.min(case((held, at))).label("first_meeting_at"),
        func.min(case((and_(physical, at > now), at))).label("next_meeting_at"),
        _count_between(physical, at, b.month, b.next_month).label("this_month"),
        _count_between(held, at, b.last_month, b.month).label("last_month"),
    ).group_by(ContactEvent.participant_id)
    # Meetings of the appointments capability: held ones (seen) are in the past, active
    # bookings in the future — the same sums as counsellor-recorded physical meetings.
    meetings = meetings_query.subquery()
    starts = meetings.c.starts_at
    booked_query = (
        select(
            Participant.id.label("pid"),
            func.max(case((starts <= now, starts))).label("last_held"),
            func.min(case((starts <= now, starts))).label("first_held"),
            func.min(case((starts > now, starts))).label("next_booked"),
            _count_between(starts.is_not(None), starts, b.month, b.next_month).label("this_month"),
            _count_between(starts <= now, starts, b.last_month, b.month).label("last_month"),
        )
        .join(meetings, meetings.c.person_id == Participant.person_id)
        .group_by(Participant.id)
    )
    accounts_query = select(
        ChannelAccount.person_id.label("person_id"),
        func.max(ChannelAccount.language_code).label("language_code"),
        func.count(case((ChannelAccount.unreachable_at.is_(None), 1))).label("reachable"),
    ).group_by(ChannelAccount.person_id)
    if participant_ids is not None:
        events_query = events_query.where(ContactEvent.participant_id.in_(participant_ids))
        booked_query = booked_query.where(Participant.id.in_(participant_ids))
        linked = select(Participant.person_id).where(Participant.id.in_(participant_ids))
        accounts_query = accounts_query.where(ChannelAccount.person_id.in_(linked))
    if ids is not None:
        events_query = events_query.where(ids.holds(ContactEvent.participant_id))
        booked_query = booked_query.where(ids.holds(Participant.id))
        linked = select(Participant.person_id).where(ids.holds(Participant.id))
        accounts_query = accounts_query.where(ChannelAccount.person_id.in_(linked))
    events, booked = events_query.subquery(), booked_query.subquery()
    accounts = accounts_query.subquery()
    reachable = case(
        (
            and_(
                Participant.person_id.is_not(None),
                Person.consent == "given",
                Person.proactive_opt_out.is_not(True),
                accounts.c.reachable > 0,
            ),
            1,
        ),
        else_=0,
    )
    query = (
        select(
            Participant.id,
            Participant.name,
            Participant.person_id,
            Participant.counsellor_id,
            Participant.orientation_on,
            Participant.programme_start,
            Participant.programme_end,
            Participant.cer_signed_on,
            Participant.diagnosis_3m_on,
            Participant.diagnosis_final_on,
            Participant.status,
            Participant.last_checkin_at,
            _locale(Person.locale, accounts.c.language_code).label("locale"),
            reachable.label("reachable"),
            _later(events.c.last_contact_at, booked.c.last_held).label("last_contact_at"),
            _earlier(events.c.first_meeting_at, booked.c.first_held).label("first_meeting_at"),
            _earlier(events.c.next_meeting_at, booked.c.next_booked).label("next_meeting_at"),
            (func.coalesce(events.c.this_month, 0) + func.coalesce(booked.c.this_month, 0)).label(
                "this_month"
            ),
            (func.coalesce(events.c.last_month, 0) + func.coalesce(booked.c.last_month, 0)).label(
                "last_month"
            ),
        )
        .outerjoin(Person, Person.id == Participant.person_id)
        .outerjoin(accounts, accounts.c.person_id == Participant.person_id)
        .outerjoin(events, events.c.pid == Participant.id)
        .outerjoin(booked, booked.c.pid == Participant.id)
        .where(Participant.status.in_(OPEN_STATUSES))
    )
    if participant_ids is not None:
        query = query.where(Participant.id.in_(participant_ids))
    if ids is not None:
        query = query.where(ids.holds(Participant.id))
    return query


def utc(value: Any) -> datetime | None:
    """Aggregates bypass the column type: normalise what the driver returns to aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def day(value: Any) -> date | None:
    """The same for dates (SQLite returns text through the driver's own cursor)."""
    if value is None or type(value) is date:
        return value
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    assert isinstance(value, date)
    return value


def stream(session: Session, query: Select[Any], *, bulk: bool = True) -> Iterator[Sequence[Any]]:
    """The query's rows as plain tuples, a batch at a time.

    ``bulk`` on PostgreSQL: the driver's own cursor returns them (no per-value SQLAlchemy
    processing: the caller normalises the values with :func:`utc` and :func:`day`; 90,000
    rows are a few tens of megabytes), at the price of compiling the query each time
    (~15 ms for the aggregates): a few rows are read through SQLAlchemy, whose compiled form
    is cached."""
    if session.autoflush:
        session.flush()  # what ``session.execute`` would do; Core rows skip the ORM's overhead
    connection = session.connection()
    if connection.dialect.name != "postgresql" or not bulk:
        yield from connection.execute(query.execution_options(yield_per=BATCH)).partitions()
        return
    compiled = query.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    raw: Any = connection.connection.driver_connection
    with raw.cursor() as cursor:
        cursor.execute(str(compiled), compiled.params)
        while batch := cursor.fetchmany(BATCH):
            yield batch


def participant_values(
    session: Session,
    now: datetime,
    b: Bounds,
    meetings_query: MeetingsQuery,
    participant_ids: Sequence[int] | None = None,
) -> Iterator[Sequence[Any]]:
    """Every open participant's tuple of :data:`COLUMNS` (streamed, by id)."""
    query = aggregate_query(now, b, meetings_query, participant_ids).order_by(Participant.id)
    for chunk in stream(session, query, bulk=participant_ids is None):
        yield from chunk


def cut_points(session: Session, batches: int) -> list[int]:
    """PostgreSQL: the ids that cut the open participants into ``batches`` ranges of about
    as many people each (their quantiles; fewer when few people, none when nobody)."""
    fractions = [i / batches for i in range(1, batches)]
    cuts = session.execute(
        select(func.percentile_disc(fractions).within_group(Participant.id.asc())).where(
            Participant.status.in_(OPEN_STATUSES)
        )
    ).scalar()
    return sorted(set(cuts or []))


def caseloads(session: Session) -> dict[int, int]:
    """Open participants per counsellor."""
    rows = session.execute(
        select(Participant.counsellor_id, func.count())
        .where(Participant.status.in_(OPEN_STATUSES), Participant.counsellor_id.is_not(None))
        .group_by(Participant.counsellor_id)
    )
    return {int(counsellor): int(count) for counsellor, count in rows}
