"""Set-based planning for every participant: one aggregate query, then bulk idempotent inserts.

One SQL query computes, per participant, the last contact, the first and next physical
meeting, the meetings of this and last month, reachability and language. The pure
:func:`scheduler.cadence.due_actions` turns each row into actions; messages for participants
become ``outbox`` rows and the rest ``counsellor_tasks`` rows, both inserted in bulk with
``ON CONFLICT DO NOTHING`` on the idempotency key: planning twice is harmless.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, case, func, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.i18n import resolve_locale
from flows.programme.checkin import checkin_replies
from scheduler import periods, sources
from scheduler.cadence import (
    DueAction,
    History,
    Kind,
    ParticipantState,
    caseload_actions,
    due_actions,
)
from scheduler.rules import Rules
from store.models import ChannelAccount, Person
from store.outbox import OutboxMessage, dump_replies
from store.programme import CONTACT_KINDS, ContactEvent, CounsellorTask, Participant

OPEN_STATUSES = ("invited", "active")
BATCH = 5000


@dataclass
class Row:
    """One participant as the planner sees it: the cadence inputs and how to write to them."""

    state: ParticipantState
    history: History
    name: str
    person_id: int | None
    locale: str


@dataclass
class PlanResult:
    """What one planning round did."""

    participants: int = 0
    actions: int = 0
    messages_planned: int = 0
    tasks_created: int = 0
    seconds: float = 0.0
    computed_seconds: float = 0.0  # the query and the rules, before writing
    outbox_seconds: float = 0.0  # writing the messages
    by_rule: dict[str, int] = field(default_factory=dict)


def _count_between(condition: ColumnElement[bool], start: Any, end: Any) -> ColumnElement[int]:
    """How many contact events meet ``condition`` with ``start <= occurred_at < end``."""
    in_range = and_(condition, ContactEvent.occurred_at >= start, ContactEvent.occurred_at < end)
    return func.count(case((in_range, 1)))


def _bounds(now: datetime) -> dict[str, datetime]:
    today = periods.local_day(now)
    return {
        "month": periods.at_paris(periods.month_first(today)),
        "next_month": periods.at_paris(periods.month_last(today) + timedelta(days=1)),
        "last_month": periods.at_paris(periods.previous_month(today)),
    }


def _query(now: datetime, participant_ids: list[int] | None) -> Select[Any]:
    b = _bounds(now)
    physical = ContactEvent.kind == "physical"
    held = and_(physical, ContactEvent.occurred_at <= now)
    events = (
        select(
            ContactEvent.participant_id.label("pid"),
            func.max(
                case(
                    (
                        and_(ContactEvent.kind.in_(CONTACT_KINDS), ContactEvent.occurred_at <= now),
                        ContactEvent.occurred_at,
                    )
                )
            ).label("last_contact_at"),
            func.min(case((held, ContactEvent.occurred_at))).label("first_meeting_at"),
            func.min(
                case((and_(physical, ContactEvent.occurred_at > now), ContactEvent.occurred_at))
            ).label("next_meeting_at"),
            _count_between(physical, b["month"], b["next_month"]).label("this_month"),
            _count_between(held, b["last_month"], b["month"]).label("last_month"),
        )
        .group_by(ContactEvent.participant_id)
        .subquery()
    )
    accounts = (
        select(
            ChannelAccount.person_id.label("person_id"),
            func.max(ChannelAccount.language_code).label("language_code"),
            func.count(case((ChannelAccount.unreachable_at.is_(None), 1))).label("reachable"),
        )
        .group_by(ChannelAccount.person_id)
        .subquery()
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
            Person.locale,
            Person.proactive_opt_out,
            Person.consent,
            accounts.c.language_code,
            accounts.c.reachable,
            events.c.last_contact_at,
            events.c.first_meeting_at,
            events.c.next_meeting_at,
            events.c.this_month,
            events.c.last_month,
        )
        .outerjoin(Person, Person.id == Participant.person_id)
        .outerjoin(accounts, accounts.c.person_id == Participant.person_id)
        .outerjoin(events, events.c.pid == Participant.id)
        .where(Participant.status.in_(OPEN_STATUSES))
        .order_by(Participant.id)
    )
    if participant_ids is not None:
        query = query.where(Participant.id.in_(participant_ids))
    return query


def _utc(value: Any) -> datetime | None:
    """Aggregates bypass the column type: normalise what the driver returns to aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def load_rows(
    session: Session, now: datetime, participant_ids: list[int] | None = None
) -> Iterator[Row]:
    """Every open participant with the aggregates the cadence needs (streamed)."""
    if session.autoflush:
        session.flush()  # what ``session.execute`` would do; Core rows skip the ORM's overhead
    query = _query(now, participant_ids)
    bounds = _bounds(now)
    since, until = _meeting_window(now)
    booked: set[int] | None = None
    if participant_ids is None:  # the whole round: ask about those with bookings only
        booked = sources.people_with_bookings(session, since, until)
    for chunk in _chunks(session, query):
        people = [r[2] for r in chunk if r[2] and (booked is None or r[2] in booked)]
        extra = _appointment_meetings(session, people, now)
        for r in chunk:
            yield _row(r, bounds, now, extra.get(r[2] or 0, _NONE))


_NONE: list[datetime] = []


def _chunks(session: Session, query: Select[Any]) -> Iterator[Sequence[Any]]:
    """The query's rows as plain tuples, a batch at a time.

    On PostgreSQL the driver's own cursor returns them (no per-value SQLAlchemy processing:
    ``_row`` normalises the timestamps); 90,000 rows are a few tens of megabytes."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
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


def _appointment_meetings(
    session: Session, person_ids: list[int], now: datetime
) -> dict[int, list[datetime]]:
    if not person_ids:
        return {}
    since, until = _meeting_window(now)
    return sources.physical_meetings(session, person_ids, since, until, now)


def _meeting_window(now: datetime) -> tuple[datetime, datetime]:
    since = periods.at_paris(periods.previous_month(periods.local_day(now))) - timedelta(days=200)
    return since, now + timedelta(days=62)


def _row(r: Any, b: dict[str, datetime], now: datetime, booked: list[datetime]) -> Row:
    (
        pid,
        name,
        person_id,
        counsellor_id,
        orientation_on,
        programme_start,
        programme_end,
        cer_signed_on,
        diagnosis_3m_on,
        diagnosis_final_on,
        status,
        last_checkin_at,
        chosen_locale,
        opt_out,
        consent,
        language_code,
        reachable_accounts,
        last_contact_at,
        first_meeting_at,
        next_meeting_at,
        this_month,
        last_month,
    ) = r
    last_contact = None if last_contact_at is None else _utc(last_contact_at)
    first = None if first_meeting_at is None else _utc(first_meeting_at)
    upcoming = None if next_meeting_at is None else _utc(next_meeting_at)
    this_month, last_month = int(this_month or 0), int(last_month or 0)
    if booked:
        held = [m for m in booked if m <= now]
        future = [m for m in booked if m > now]
        if held:
            first = min([held[0], *([first] if first else [])])
            last_contact = max([held[-1], *([last_contact] if last_contact else [])])
        if future:
            upcoming = min([future[0], *([upcoming] if upcoming else [])])
        this_month += sum(1 for m in booked if b["month"] <= m < b["next_month"])
        last_month += sum(1 for m in held if b["last_month"] <= m < b["month"])
    reachable = bool(
        person_id and consent == "given" and not opt_out and int(reachable_accounts or 0) > 0
    )
    state = ParticipantState(
        pid,
        orientation_on,
        counsellor_id,
        programme_start,
        programme_end,
        cer_signed_on,
        diagnosis_3m_on,
        diagnosis_final_on,
        status,
        reachable,
    )
    history = History(
        last_contact,
        None if last_checkin_at is None else _utc(last_checkin_at),
        first,
        upcoming,
        this_month,
        last_month,
    )
    return Row(state, history, name, person_id, resolve_locale(chosen_locale, language_code))


def caseloads(session: Session) -> dict[int, int]:
    """Open participants per counsellor."""
    rows = session.execute(
        select(Participant.counsellor_id, func.count())
        .where(Participant.status.in_(OPEN_STATUSES), Participant.counsellor_id.is_not(None))
        .group_by(Participant.counsellor_id)
    )
    return {int(counsellor): int(count) for counsellor, count in rows}


def compute(
    session: Session, now: datetime, rules: Rules, counter: list[int] | None = None
) -> Iterator[tuple[Row | None, DueAction]]:
    """Every due action at ``now`` (nothing written): the ``due`` command and the planner."""
    for row in load_rows(session, now):
        if counter is not None:
            counter[0] += 1
        for action in due_actions(row.state, row.history, now, rules):
            yield row, action
    for counsellor, count in caseloads(session).items():
        for action in caseload_actions(counsellor, count, now, rules):
            yield None, action


MESSAGE_COLUMNS = ("idempotency_key", "person_id", "rule", "replies", "not_before", "expires_at")
TASK_COLUMNS = (
    "idempotency_key",
    "participant_id",
    "counsellor_id",
    "kind",
    "rule",
    "reason",
    "due_at",
)


def plan(session: Session, now: datetime, rules: Rules) -> PlanResult:
    """Plan everything due at ``now`` (the caller commits). Idempotent."""
    started = time.perf_counter()
    result = PlanResult()
    messages: list[tuple[Any, ...]] = []
    tasks: list[tuple[Any, ...]] = []
    # The same rendered check-in goes to thousands of people: each rendering is kept once
    # and the rows carry its number (1-based), resolved in SQL.
    rendered: dict[tuple[str, str, bool, bool], int] = {}
    replies: list[list[dict[str, Any]]] = []
    counted = [0]
    per_month = rules.physical_meetings.per_month
    by_rule = result.by_rule
    for row, action in compute(session, now, rules, counted):
        by_rule[action.rule] = by_rule.get(action.rule, 0) + 1
        kind = action.kind
        if kind is Kind.NUDGE or kind is Kind.REMIND:
            if row is None or not row.person_id:
                continue
            offer = row.history.meetings_this_month < per_month
            key = (row.locale, action.period, kind is Kind.REMIND, offer)
            index = rendered.get(key)
            if index is None:
                replies.append(
                    dump_replies(
                        checkin_replies(
                            row.locale, action.period, reminder=key[2], offer_meeting=offer
                        )
                    )
                )
                index = rendered[key] = len(replies)
            messages.append(
                (
                    action.key,
                    row.person_id,
                    action.rule,
                    index,
                    action.not_before,
                    action.expires_at,
                )
            )
        else:
            tasks.append(
                (
                    action.key,
                    action.participant_id,
                    action.counsellor_id,
                    "alert" if kind is Kind.ALERT else "task",
                    action.rule,
                    action.reason,
                    action.not_before,
                )
            )
    result.actions = sum(by_rule.values())
    result.participants = counted[0]
    result.computed_seconds = time.perf_counter() - started
    result.messages_planned = _insert(
        session,
        OutboxMessage.__table__,
        MESSAGE_COLUMNS,
        messages,
        {"ignore_quiet_hours": False, "status": "pending", "attempts": 0, "created_at": now},
        {"replies": replies},
    )
    result.outbox_seconds = time.perf_counter() - started - result.computed_seconds
    result.tasks_created = _insert(
        session, CounsellorTask.__table__, TASK_COLUMNS, tasks, {"created_at": now}, {}
    )
    result.seconds = time.perf_counter() - started
    return result


def _insert(
    session: Session,
    table: Any,
    columns: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    constants: dict[str, Any],
    shared: dict[str, list[Any]],
) -> int:
    """Bulk ``INSERT … ON CONFLICT (idempotency_key) DO NOTHING``; returns rows inserted.

    ``constants`` are the same for every row; a column in ``shared`` holds a 1-based index
    into its list of values (a JSON value sent once for thousands of rows)."""
    if not rows:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        return _insert_copy(session, table, columns, rows, constants, shared)
    positions = {name: columns.index(name) for name in shared}
    dicts = []
    for row in rows:
        values = dict(zip(columns, row, strict=True))
        for name, position in positions.items():
            values[name] = shared[name][row[position] - 1]
        dicts.append({**values, **constants})
    inserted = 0
    for start in range(0, len(dicts), BATCH):
        statement = (
            sqlite_insert(table)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(table.c.id)
        )
        inserted += len(session.execute(statement, dicts[start : start + BATCH]).all())
    return inserted


def _insert_copy(
    session: Session,
    table: Table,
    columns: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    constants: dict[str, Any],
    shared: dict[str, list[Any]],
) -> int:
    """PostgreSQL: COPY the rows into a temporary table, then one ``INSERT … SELECT … ON
    CONFLICT DO NOTHING``. Constants and shared JSON values travel once, as parameters."""
    dialect = session.get_bind().dialect
    scratch = f"planning_{table.name}"
    definitions = ", ".join(
        f"{name} integer" if name in shared else f"{name} {table.c[name].type.compile(dialect)}"
        for name in columns
    )
    session.execute(
        text(f"CREATE TEMP TABLE IF NOT EXISTS {scratch} ({definitions}) ON COMMIT DROP")
    )
    session.execute(text(f"TRUNCATE {scratch}"))
    raw: Any = session.connection().connection.driver_connection
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {scratch} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        write = copy.write_row
        for row in rows:
            write(row)
    values = [
        f"(CAST(:{name} AS text[]))[t.{name}]::json" if name in shared else f"t.{name}"
        for name in columns
    ]
    values += [f"CAST(:{name} AS {table.c[name].type.compile(dialect)})" for name in constants]
    params: dict[str, Any] = {
        name: [json.dumps(value, ensure_ascii=False) for value in shared[name]] for name in shared
    }
    params.update(constants)
    statement = text(
        f"WITH inserted AS (INSERT INTO {table.name} ({', '.join([*columns, *constants])}) "
        f"SELECT {', '.join(values)} FROM {scratch} t "
        "ON CONFLICT (idempotency_key) DO NOTHING RETURNING 1) SELECT count(*) FROM inserted"
    )
    return int(session.execute(statement, params).scalar_one())


def participant_row(session: Session, participant_id: int, now: datetime) -> Row | None:
    """One participant's row (the check-in flow asks how many meetings are planned)."""
    return next(iter(load_rows(session, now, [participant_id])), None)
