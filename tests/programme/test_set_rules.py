"""The set-based planner agrees with the pure function, row for row, on a varied population.

For moments around month ends, DST changes, a public holiday on check-in day, Thursdays and
the 15th, a random population (seeded) is planned twice — by ``plan_per_row`` (the pure
function on every participant) and by ``plan`` (every rule in SQL) — and the outbox
and counsellor-task rows they write must be identical, on SQLite and on PostgreSQL. The
aggregates themselves are checked against ``History.from_events`` on the raw events.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from capabilities.programme import periods
from capabilities.programme.aggregates import bounds, load_rows
from capabilities.programme.cadence import History
from capabilities.programme.planning import PlanResult, plan, plan_per_row
from capabilities.programme.rules import default_rules
from capabilities.programme.set_rules import first_start_ending_from, last_start_ending_by
from core.i18n import resolve_locale, set_staff_locale
from store.appointments import Booking, Espace, Motif
from store.db import SessionFactory
from store.models import ChannelAccount, Conversation, Person
from store.outbox import OutboxMessage
from store.programme import CONTACT_KINDS, ContactEvent, CounsellorTask, Participant
from store.staff import Staff
from tests.pg import temporary_database
from tests.scheduler.helpers import database, paris

RULES = default_rules()

MOMENTS = [
    paris(2026, 7, 14, 10),  # Bastille Day, a Tuesday: the check-in moves to Wednesday
    paris(2026, 7, 15, 10, 30),
    paris(2026, 10, 20, 10),  # check-in Tuesday
    paris(2026, 10, 22, 15),  # Thursday: weeks without contact become tasks
    paris(2026, 10, 25, 12),  # the autumn DST change (a Sunday)
    paris(2026, 10, 27, 10, 5),  # first check-in after it
    paris(2026, 11, 2, 9, 30),  # first days of a month: last month's meetings missed
    paris(2026, 11, 16, 17),  # after the 15th: this month's meetings not planned
    paris(2026, 12, 1, 10),
    paris(2026, 12, 31, 23, 30),  # last night of the year
    paris(2027, 3, 29, 8),  # Monday morning after the spring DST change
    paris(2027, 3, 30, 10),
    paris(2027, 4, 1, 11),
]
MONTH_ENDS = [(1, 31), (2, 28), (3, 31), (4, 30), (5, 31), (8, 30), (8, 31), (10, 31), (11, 30)]
ALL_RULES = {
    "weekly_checkin",
    "checkin_reminder",
    "checkin_unanswered",
    "no_contact_this_week",
    "meetings_not_planned",
    "meetings_missed",
    "first_meeting_not_booked",
    "first_meeting_overdue",
    "cer_missing",
    "diagnosis_3m_due",
    "diagnosis_3m_overdue",
    "programme_end_approaching",
    "final_diagnosis_overdue",
    "duration_out_of_range",
}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SessionFactory]:
    if request.param == "sqlite":
        engine, factory = database(f"sqlite:///{tmp_path / 'set.db'}")
        yield factory
        engine.dispose()
    else:
        with temporary_database("programme_set_rules") as url:
            engine, factory = database(url)
            yield factory
            engine.dispose()


@dataclass
class Expected:
    """What the test knows about one participant, to rebuild its history by hand."""

    reachable: bool
    locale: str
    contacts: list[datetime] = field(default_factory=list)
    meetings: list[datetime] = field(default_factory=list)
    checkin: datetime | None = None


def _edges(now: datetime) -> list[datetime]:
    """Instants where the rules change their mind: Paris midnights, week and month starts,
    48 hours and 7 days ago, now itself — and a minute either side of each."""
    today = periods.local_day(now)
    monday = periods.week_start(today)
    days = [today - timedelta(days=k) for k in range(0, 22)]
    days += [monday - timedelta(days=7), periods.month_first(today)]
    days += [periods.previous_month(today), periods.month_last(today) + timedelta(days=1)]
    instants = [periods.at_paris(day) for day in days]
    instants += [now, now - timedelta(hours=48), now - timedelta(days=7)]
    return [i + timedelta(minutes=m) for i in instants for m in (-1, 0, 0, 1)]


def _moment(rng: random.Random, now: datetime, low_days: int, high_days: int) -> datetime:
    if rng.random() < 0.3:
        edges = [e for e in _edges(now) if low_days <= (e - now).days <= high_days]
        if edges:
            return rng.choice(edges)
    minutes = rng.randint(low_days * 24 * 60, high_days * 24 * 60)
    return (now + timedelta(minutes=minutes)).replace(second=0, microsecond=0)


def _day(rng: random.Random, today: date) -> date:
    if rng.random() < 0.25:  # month ends: add_months clamps them
        month, day = rng.choice(MONTH_ENDS)
        year = today.year if (month, day) <= (today.month, today.day) else today.year - 1
        return date(year, month, day)
    if rng.random() < 0.3:  # the thresholds of the first meeting, diagnosis and programme end
        months = rng.choice([3, 6])
        return last_start_ending_by(today, months) + timedelta(days=rng.randint(-16, 16))
    return today - timedelta(days=rng.randint(-5, 200))


def populate(
    sessions: SessionFactory, now: datetime, seed: int, count: int = 160
) -> dict[int, Expected]:
    """A random population around ``now``; returns what each participant's history is."""
    rng = random.Random(seed)
    today = periods.local_day(now)
    b = bounds(now)
    expected: dict[int, Expected] = {}
    with sessions() as session:
        counsellors = [Staff(name=f"C{i}", role="counsellor") for i in range(3)]
        session.add_all(counsellors)
        session.add(Espace(id="e1", name="Espace", commune="Dunkerque"))
        motifs = {
            True: Motif(id="rsa", label="RSA", duration_min=30, kind="individual", rsa=True),
            False: Motif(id="tel", label="Tél", duration_min=30, kind="individual", physical=False),
        }
        session.add_all(motifs.values())
        session.flush()
        for i in range(count):
            orientation = _day(rng, today)
            start = orientation + timedelta(days=rng.randint(0, 20)) if rng.random() < 0.3 else None
            first = start or orientation
            end = None
            if rng.random() < 0.4:
                months = rng.choice([2, 3, 4, 6, 7])
                end = periods.add_months(first, months) + timedelta(days=rng.choice([-1, 0, 0, 1]))
            person = None
            reachable, locale = False, "fr"
            if rng.random() < 0.85:
                person = Person(
                    consent=rng.choice(["given"] * 8 + ["refused", "pending"]),
                    proactive_opt_out=rng.random() < 0.1,
                    locale=rng.choice([None, None, "fr", "en", "nl", "ar", "xx"]),
                )
                codes = []
                live = 0
                for n in range(rng.choice([1, 1, 1, 2, 0])):
                    code = rng.choice([None, "en", "EN-gb", "fr-FR", "de", "nl", "ar"])
                    unreachable = now - timedelta(days=3) if rng.random() < 0.1 else None
                    session.add(
                        ChannelAccount(
                            person=person,
                            channel="telegram",
                            external_ref=f"{seed}-{i}-{n}",
                            language_code=code,
                            unreachable_at=unreachable,
                        )
                    )
                    codes.append(code)
                    live += unreachable is None
                session.add(Conversation(person=person, data={}))
                session.add(person)
                session.flush()
                reachable = person.consent == "given" and not person.proactive_opt_out and live > 0
                present = [c for c in codes if c is not None]
                locale = resolve_locale(person.locale, max(present) if present else None)
            checkin = min(_moment(rng, now, -21, 0), now) if rng.random() < 0.7 else None
            if rng.random() < 0.15:  # exactly when the reminder or the alert falls due
                since = timedelta(hours=rng.choice([48, 168]), minutes=rng.choice([-1, 0, 1]))
                checkin = now - since
            participant = Participant(
                name=f"P{i}",
                person_id=person.id if person else None,
                counsellor_id=rng.choice(counsellors).id if rng.random() < 0.95 else None,
                orientation_on=orientation,
                programme_start=start,
                programme_end=end,
                cer_signed_on=first + timedelta(days=3) if rng.random() < 0.6 else None,
                diagnosis_3m_on=first + timedelta(days=90) if rng.random() < 0.3 else None,
                diagnosis_final_on=first + timedelta(days=170) if rng.random() < 0.15 else None,
                status=rng.choice(["active"] * 16 + ["invited", "invited", "ended", "reoriented"]),
                last_checkin_at=checkin,
            )
            session.add(participant)
            session.flush()
            known = Expected(reachable, locale, checkin=checkin)
            for _ in range(rng.randint(0, 7)):
                kind = rng.choice(["checkin", "phone", "physical", "physical", "other", "cer"])
                at = _moment(rng, now, -150, 45)
                session.add(ContactEvent(participant_id=participant.id, kind=kind, occurred_at=at))
                if kind == "physical":
                    known.meetings.append(at)
                elif kind in CONTACT_KINDS:
                    known.contacts.append(at)
            if person is not None:
                for _ in range(rng.choice([0, 0, 1, 2, 3])):
                    physical = rng.random() < 0.8
                    at = _moment(rng, now, -90, 60)
                    status = rng.choice(["booked"] * 4 + ["cancelled"])
                    attendance = rng.choice(["seen", "seen", "unknown", "noshow"])
                    session.add(
                        Booking(
                            person_id=person.id,
                            espace_id="e1",
                            motif_id=motifs[physical].id,
                            starts_at=at,
                            ends_at=at + timedelta(minutes=30),
                            status=status,
                            attendance=attendance,
                        )
                    )
                    counted = (at <= now and attendance == "seen") or (
                        at > now and status == "booked"
                    )
                    if physical and counted and b.since <= at < b.until:
                        known.meetings.append(at)
            expected[participant.id] = known
        session.commit()
    return expected


def wipe(sessions: SessionFactory) -> None:
    with sessions() as session:
        for model in (
            OutboxMessage,
            CounsellorTask,
            ContactEvent,
            Booking,
            Participant,
            ChannelAccount,
            Conversation,
            Person,
            Motif,
            Espace,
            Staff,
        ):
            session.execute(delete(model))
        session.commit()


def written(sessions: SessionFactory, planner: Any, now: datetime) -> tuple[PlanResult, list[Any]]:
    """The rows one planner writes at ``now`` (rolled back afterwards)."""
    with sessions() as session:
        result = planner(session, now, RULES)
        session.flush()
        messages = session.execute(
            select(
                OutboxMessage.idempotency_key,
                OutboxMessage.person_id,
                OutboxMessage.rule,
                OutboxMessage.replies,
                OutboxMessage.not_before,
                OutboxMessage.expires_at,
                OutboxMessage.ignore_quiet_hours,
                OutboxMessage.status,
                OutboxMessage.attempts,
            )
        ).all()
        tasks = session.execute(
            select(
                CounsellorTask.idempotency_key,
                CounsellorTask.participant_id,
                CounsellorTask.counsellor_id,
                CounsellorTask.kind,
                CounsellorTask.rule,
                CounsellorTask.reason,
                CounsellorTask.due_at,
            )
        ).all()
        session.rollback()
    rows = sorted(("outbox", *map(repr, m)) for m in messages)
    rows += sorted(("task", *map(repr, t)) for t in tasks)
    return result, rows


def test_sql_rules_write_what_the_pure_function_decides(sessions: SessionFactory) -> None:
    seen: set[str] = set()
    for index, now in enumerate(MOMENTS):
        wipe(sessions)
        expected = populate(sessions, now, seed=index)
        # The aggregates are the raw events summed up.
        with sessions() as session:
            rows = {row.state.id: row for row in load_rows(session, now)}
        for pid, row in rows.items():
            known = expected[pid]
            assert row.history == History.from_events(
                now,
                contacts=known.contacts,
                meetings=known.meetings,
                checkins=[known.checkin] if known.checkin else [],
            ), pid
            assert (row.state.reachable, row.locale) == (known.reachable, known.locale), pid
        reference, by_hand = written(sessions, plan_per_row, now)
        result, by_sql = written(sessions, plan, now)
        assert by_sql == by_hand, now
        assert result.by_rule == reference.by_rule, now
        assert result.messages_planned == reference.messages_planned
        assert result.tasks_created == reference.tasks_created
        assert result.candidates == 0  # every rule is SQL: the pure function runs on no one
        seen.update(result.by_rule)
    assert seen >= ALL_RULES, sorted(ALL_RULES - seen)


def test_the_sql_sentences_take_the_plural_form_of_each_count(
    sessions: SessionFactory,
) -> None:
    # Staff reading Arabic: 0, 1 and 2 meetings are three different sentences (SQL CASE).
    set_staff_locale("ar")
    now = MOMENTS[2]
    populate(sessions, now, seed=7)
    _reference, by_hand = written(sessions, plan_per_row, now)
    _result, by_sql = written(sessions, plan, now)
    assert by_sql == by_hand
    reasons = {row[6] for row in by_sql if row[0] == "task" and "meetings" in row[5]}
    assert any(reason.startswith("'لا يوجد أي لقاء حضوري") for reason in reasons), reasons
    assert any(reason.startswith("'لقاء حضوري واحد") for reason in reasons), reasons
    assert not any("rencontre" in reason for reason in reasons)


def test_planning_again_writes_nothing(sessions: SessionFactory) -> None:
    now = MOMENTS[2]
    populate(sessions, now, seed=99)
    with sessions() as session:
        first = plan(session, now, RULES)
        session.commit()
    with sessions() as session:
        second = plan(session, now, RULES)
        session.commit()
    assert first.messages_planned > 0 and first.tasks_created > 0
    assert second.messages_planned == second.tasks_created == 0
    assert second.by_rule == first.by_rule


@pytest.mark.parametrize("months", [1, 2, 3, 6])
def test_start_bounds_match_add_months(months: int) -> None:
    for offset in range(0, 800, 3):
        day = date(2026, 1, 1) + timedelta(days=offset)
        latest = last_start_ending_by(day, months)
        earliest = first_start_ending_from(day, months)
        for start in (latest - timedelta(days=1), latest, latest + timedelta(days=1)):
            assert (periods.add_months(start, months) <= day) == (start <= latest)
        for start in (earliest - timedelta(days=1), earliest, earliest + timedelta(days=1)):
            assert (periods.add_months(start, months) >= day) == (start >= earliest)


def test_moments_are_paris_times() -> None:
    assert MOMENTS[4].tzinfo == UTC and periods.local_day(MOMENTS[4]) == date(2026, 10, 25)
