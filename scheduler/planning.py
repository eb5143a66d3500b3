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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Select, Table, and_, case, func, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.i18n import resolve_locale
from flows.programme.checkin import checkin_replies
from scheduler import periods, sources
from scheduler.cadence import (
    PARTICIPANT_KINDS,
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
            func.count(
                case(
                    (
                        and_(
                            physical,
                            ContactEvent.occurred_at >= b["month"],
                            ContactEvent.occurred_at < b["next_month"],
                        ),
                        1,
                    )
                )
            ).label("this_month"),
            func.count(
                case(
                    (
                        and_(
                            held,
                            ContactEvent.occurred_at >= b["last_month"],
                            ContactEvent.occurred_at < b["month"],
                        ),
                        1,
                    )
                )
            ).label("last_month"),
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
    result = session.execute(_query(now, participant_ids).execution_options(yield_per=BATCH))
    for chunk in result.partitions():
        extra = _appointment_meetings(session, [r.person_id for r in chunk if r.person_id], now)
        for r in chunk:
            yield _row(r, now, extra.get(r.person_id or 0, []))


def _appointment_meetings(
    session: Session, person_ids: list[int], now: datetime
) -> dict[int, list[datetime]]:
    if not person_ids:
        return {}
    since = periods.at_paris(periods.previous_month(periods.local_day(now))) - timedelta(days=200)
    return sources.physical_meetings(session, person_ids, since, now + timedelta(days=62), now)


def _row(r: Any, now: datetime, booked: list[datetime]) -> Row:
    last_contact, first = _utc(r.last_contact_at), _utc(r.first_meeting_at)
    this_month, last_month = int(r.this_month or 0), int(r.last_month or 0)
    upcoming = _utc(r.next_meeting_at)
    if booked:
        b = _bounds(now)
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
        r.person_id
        and r.consent == "given"
        and not r.proactive_opt_out
        and int(r.reachable or 0) > 0
    )
    state = ParticipantState(
        id=r.id,
        orientation_on=r.orientation_on,
        counsellor_id=r.counsellor_id,
        programme_start=r.programme_start,
        programme_end=r.programme_end,
        cer_signed_on=r.cer_signed_on,
        diagnosis_3m_on=r.diagnosis_3m_on,
        diagnosis_final_on=r.diagnosis_final_on,
        status=r.status,
        reachable=reachable,
    )
    history = History(
        last_contact_at=last_contact,
        last_checkin_at=_utc(r.last_checkin_at),
        first_meeting_at=first,
        next_meeting_at=upcoming,
        meetings_this_month=this_month,
        meetings_done_last_month=last_month,
    )
    locale = resolve_locale(r.locale, r.language_code)
    return Row(state, history, r.name, r.person_id, locale)


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


def plan(session: Session, now: datetime, rules: Rules) -> PlanResult:
    """Plan everything due at ``now`` (the caller commits). Idempotent."""
    started = time.perf_counter()
    result = PlanResult()
    messages: list[dict[str, Any]] = []
    tasks: list[dict[str, Any]] = []
    rendered: dict[tuple[str, str, bool, bool], list[dict[str, Any]]] = {}
    counted = [0]
    per_month = rules.physical_meetings.per_month
    for row, action in compute(session, now, rules, counted):
        result.actions += 1
        result.by_rule[action.rule] = result.by_rule.get(action.rule, 0) + 1
        if action.kind in PARTICIPANT_KINDS and row is not None and row.person_id:
            offer = row.history.meetings_this_month < per_month
            key = (row.locale, action.period, action.kind is Kind.REMIND, offer)
            if key not in rendered:
                rendered[key] = dump_replies(
                    checkin_replies(row.locale, action.period, reminder=key[2], offer_meeting=offer)
                )
            messages.append(
                {
                    "idempotency_key": action.key,
                    "person_id": row.person_id,
                    "rule": action.rule,
                    "replies": rendered[key],
                    "not_before": action.not_before,
                    "expires_at": action.expires_at,
                    "ignore_quiet_hours": False,
                    "status": "pending",
                    "attempts": 0,
                    "created_at": now,
                }
            )
        elif action.kind not in PARTICIPANT_KINDS:
            tasks.append(
                {
                    "idempotency_key": action.key,
                    "participant_id": action.participant_id,
                    "counsellor_id": action.counsellor_id,
                    "kind": "alert" if action.kind is Kind.ALERT else "task",
                    "rule": action.rule,
                    "reason": action.reason,
                    "due_at": action.not_before,
                    "created_at": now,
                }
            )
    result.participants = counted[0]
    result.computed_seconds = time.perf_counter() - started
    result.messages_planned = _insert(session, OutboxMessage, messages)
    result.outbox_seconds = time.perf_counter() - started - result.computed_seconds
    result.tasks_created = _insert(session, CounsellorTask, tasks)
    result.seconds = time.perf_counter() - started
    return result


def _insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> int:
    """Bulk ``INSERT … ON CONFLICT (idempotency_key) DO NOTHING``; returns rows inserted."""
    if not rows:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        return _insert_unnest(session, model.__table__, rows)
    inserted = 0
    for start in range(0, len(rows), BATCH):
        statement = (
            sqlite_insert(model)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(model.id)
        )
        inserted += len(session.execute(statement, rows[start : start + BATCH]).all())
    return inserted


def _insert_unnest(session: Session, table: Table, rows: list[dict[str, Any]]) -> int:
    """PostgreSQL: COPY the rows into a temporary table, then one ``INSERT … SELECT … ON
    CONFLICT DO NOTHING``. JSON values (the same rendered check-in for thousands of people)
    travel once, referenced by index."""
    dialect = session.get_bind().dialect
    columns = list(rows[0])
    shared = [name for name in columns if isinstance(table.c[name].type, JSON)]
    scratch = f"planning_{table.name}"
    definitions = ", ".join(
        f"{name} integer" if name in shared else f"{name} {table.c[name].type.compile(dialect)}"
        for name in columns
    )
    distinct: dict[str, dict[int, tuple[int, str]]] = {name: {} for name in shared}

    def encoded(row: dict[str, Any]) -> tuple[Any, ...]:
        out = []
        for name in columns:
            value = row[name]
            if name in shared:
                seen = distinct[name]
                if id(value) not in seen:  # rendered replies are shared objects
                    seen[id(value)] = (len(seen) + 1, json.dumps(value, ensure_ascii=False))
                value = seen[id(value)][0]
            out.append(value)
        return tuple(out)

    session.execute(
        text(f"CREATE TEMP TABLE IF NOT EXISTS {scratch} ({definitions}) ON COMMIT DROP")
    )
    session.execute(text(f"TRUNCATE {scratch}"))
    raw: Any = session.connection().connection.driver_connection
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {scratch} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(encoded(row))
    values = ", ".join(
        f"(CAST(:{name} AS text[]))[t.{name}]::json" if name in shared else f"t.{name}"
        for name in columns
    )
    params = {name: [text for _, text in distinct[name].values()] for name in shared}
    statement = text(
        f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT {values} FROM {scratch} t "
        "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"
    )
    return len(session.execute(statement, params).all())


def participant_row(session: Session, participant_id: int, now: datetime) -> Row | None:
    """One participant's row (the check-in flow asks how many meetings are planned)."""
    return next(iter(load_rows(session, now, [participant_id])), None)
