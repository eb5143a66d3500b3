"""A round in batches (PostgreSQL) writes exactly what one transaction writes.

The participants are cut into ranges of ids planned side by side and committed each on its
own: no participant is planned twice or forgotten at a range's edge, the per-counsellor
alerts come once, and a batch that fails leaves the others' rows for the next round to
complete — without writing any row twice.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from capabilities.programme import batches
from capabilities.programme.batches import id_ranges, plan_round
from capabilities.programme.planning import plan
from capabilities.programme.rules import Rules, default_rules
from core.i18n import set_staff_locale
from store.db import SessionFactory
from store.outbox import OutboxMessage
from store.planning.aggregates import IdRange
from store.programme import CounsellorTask, Participant
from tests.pg import temporary_database
from tests.programme.test_set_rules import MOMENTS, populate, wipe, written
from tests.scheduler.helpers import database


def _rules(batches: int) -> Rules:
    rules = default_rules()
    # A low caseload limit: every counsellor gets the alert, planned by one batch only.
    return rules.model_copy(
        update={
            "jobs": rules.jobs.model_copy(update={"planning_batches": batches}),
            "caseload": rules.caseload.model_copy(update={"max_per_counsellor": 10}),
        }
    )


@pytest.fixture
def pg() -> Iterator[SessionFactory]:
    with temporary_database("programme_batches") as url:
        engine, factory = database(url)
        yield factory
        engine.dispose()


def _committed(sessions: SessionFactory) -> list[tuple[str, ...]]:
    """What is in the outbox and the task list, in the shape of ``written``'s rows."""
    _result, rows = written(sessions, lambda session, now, rules: None, MOMENTS[0])
    return rows


def _keys(sessions: SessionFactory) -> tuple[int, int]:
    with sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(OutboxMessage)) or 0,
            session.scalar(select(func.count()).select_from(CounsellorTask)) or 0,
        )


@pytest.mark.postgres
@pytest.mark.parametrize("moment", [2, 3, 6])  # a check-in Tuesday, a Thursday, a 2nd
def test_three_batches_write_the_rows_of_one_transaction(pg: SessionFactory, moment: int) -> None:
    now = MOMENTS[moment]
    populate(pg, now, seed=moment)
    rules = _rules(3)
    assert len(id_ranges(pg, 3)) == 3
    reference_result, reference = written(pg, lambda s, at, _r: plan(s, at, rules), now)
    result = plan_round(pg, now, rules)
    assert _committed(pg) == reference
    assert result.by_rule == reference_result.by_rule
    assert result.by_rule["caseload_above_limit"] == 3  # three counsellors, one alert each
    assert (result.messages_planned, result.tasks_created) == (
        reference_result.messages_planned,
        reference_result.tasks_created,
    )
    assert result.participants == reference_result.participants
    again = plan_round(pg, now, rules)
    assert again.messages_planned == again.tasks_created == 0
    assert again.by_rule == result.by_rule


@pytest.mark.postgres
def test_the_ranges_cover_every_open_participant_once(pg: SessionFactory) -> None:
    populate(pg, MOMENTS[2], seed=5, count=101)
    with pg() as session:
        open_ids = sorted(
            session.scalars(
                select(Participant.id).where(Participant.status.in_(["invited", "active"]))
            )
        )
    ranges = id_ranges(pg, 4)
    assert [r.first for r in ranges] == [True, False, False, False]
    assert ranges[0].start is None and ranges[-1].stop is None
    assert all(a.stop == b.start for a, b in itertools.pairwise(ranges))
    sizes = [
        sum(1 for i in open_ids if (r.start or 0) <= i < (r.stop or len(open_ids) * 10))
        for r in ranges
    ]
    assert sum(sizes) == len(open_ids)
    assert max(sizes) - min(sizes) <= 2, sizes  # each cut id opens the next range


@pytest.mark.postgres
def test_no_one_to_plan_is_one_batch(pg: SessionFactory) -> None:
    assert id_ranges(pg, 4) == [IdRange(None, None)]


def test_sqlite_plans_in_one_transaction(tmp_path: Path) -> None:
    engine, factory = database(f"sqlite:///{tmp_path / 'one.db'}")
    populate(factory, MOMENTS[2], seed=3, count=40)
    assert id_ranges(factory, 4) == [IdRange(None, None)]
    result = plan_round(factory, MOMENTS[2], _rules(4))
    assert result.messages_planned > 0
    assert _keys(factory) == (result.messages_planned, result.tasks_created)
    engine.dispose()


@pytest.mark.postgres
def test_a_failed_batch_leaves_the_others_and_the_next_round_completes(
    pg: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = MOMENTS[3]
    populate(pg, now, seed=11)
    rules = _rules(2)
    _result, reference = written(pg, lambda s, at, _r: plan(s, at, rules), now)
    real = batches.plan

    def second_batch_fails(session, at, given, ids=None):  # type: ignore[no-untyped-def]
        if ids is not None and not ids.first:
            raise RuntimeError("the database went away")
        return real(session, at, given, ids)

    monkeypatch.setattr(batches, "plan", second_batch_fails)
    with pytest.raises(RuntimeError, match="went away"):
        plan_round(pg, now, rules)
    half = _committed(pg)
    assert 0 < len(half) < len(reference)
    assert set(half) <= set(reference)
    monkeypatch.setattr(batches, "plan", real)
    result = plan_round(pg, now, rules)
    assert _committed(pg) == reference  # completed, and nothing twice
    assert result.messages_planned + result.tasks_created == len(reference) - len(half)
    wipe(pg)


@pytest.mark.postgres
def test_batches_write_the_staff_language_in_every_thread(pg: SessionFactory) -> None:
    # The batches run in threads of their own: the staff's language must reach them too.
    set_staff_locale("ar")
    now = MOMENTS[2]
    populate(pg, now, seed=7)
    rules = _rules(2)
    _reference_result, reference = written(pg, lambda s, at, _r: plan(s, at, rules), now)
    plan_round(pg, now, rules)
    rows = _committed(pg)
    assert rows == reference
    reasons = [row[6] for row in rows if row[0] == "task"]
    assert reasons and not any("rencontre" in reason for reason in reasons)
    assert any("لقاء" in reason for reason in reasons), reasons[:3]
