"""The scheduler's long-running part: APScheduler 3 jobs and the outbox dispatcher.

- ``programme.tick`` (every ``jobs.tick_seconds``): plan everything due (cadence + the
  appointments' reminders when installed), then wake the dispatcher;
- ``programme.daily_report`` (07:00 Paris): the compliance report, logged and written to
  ``var/reports/``;
- ``programme.retention`` (03:30 Paris): delete old delivered outbox rows and dead invitations,
  then apply ``config/retention.yaml`` (inactive people, sign-in attempts, audit, sessions).

Only the leader replica runs them (``store.locks.LeaderLock``: a PostgreSQL advisory lock,
taken over by another replica at its next tick when the leader dies; always the leader on
SQLite); the dispatcher runs on every replica (its claims use ``SKIP LOCKED``).

Job ids are fixed, ``coalesce=True`` and a short misfire grace time: a restart after a long
stop runs each job once, it does not replay a week of ticks. Runs inside ``python -m bot``
(started by ``app.serve``) and alone as ``python -m scheduler serve``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from capabilities.appointments.reminders import RULE_48H, RULE_DAY, after_reminder_sent
from capabilities.programme import periods, report, sources
from capabilities.programme.batches import plan_round
from capabilities.programme.checkin import after_checkin_sent
from capabilities.programme.planning import PlanResult
from capabilities.programme.rules import Rules, default_rules
from core.clock import PARIS, Clock, utcnow
from core.ports import Channel
from core.settings import ROOT
from core.wakeup import Wakeup
from scheduler.dispatch import Dispatcher
from store import held_replies, inbox, repo_outbox, repo_programme, retention, wipe
from store import sms as sms_store
from store.db import SessionFactory
from store.locks import LeaderLock

log = logging.getLogger(__name__)

TICK, DAILY_REPORT, RETENTION = "programme.tick", "programme.daily_report", "programme.retention"
REPORTS = ROOT / "var" / "reports"
INBOX_RETENTION = timedelta(days=3)  # Telegram stops re-delivering after a day
HELD_REPLIES_RETENTION = timedelta(days=1)  # an answer older than this would only confuse
# What to do once a row went out: a sent check-in or reminder waits for its typed answer.
AFTER_SEND = {
    "weekly_checkin": after_checkin_sent,
    RULE_48H: after_reminder_sent,
    RULE_DAY: after_reminder_sent,
}


class Leadership(Protocol):
    """Tells whether this replica runs the scheduled jobs now (:class:`LeaderLock`)."""

    def holds(self) -> bool: ...

    def close(self) -> None: ...


@dataclass
class Programme:
    """What the jobs work with."""

    sessions: SessionFactory
    rules: Rules
    dispatcher: Dispatcher | None
    clock: Clock = utcnow
    reports: Path = REPORTS
    retention_policy: retention.Policy = field(default_factory=retention.load_policy)
    leader: Leadership | None = None

    def leads(self) -> bool:
        """True when this replica is the one running the jobs (no leader lock: alone)."""
        return self.leader is None or self.leader.holds()

    def plan_now(self) -> PlanResult:
        """One planning round (runs in a worker thread): on PostgreSQL in batches committed
        each on its own (``capabilities.programme.batches``), then the appointments'
        reminders in their own transaction."""
        now = self.clock()
        result = plan_round(self.sessions, now, self.rules)
        with self.sessions() as session:
            reminders = sources.enqueue_due_reminders(session, now)
            session.commit()
        if result.messages_planned or result.tasks_created or reminders:
            log.info(
                "planning: %d messages, %d tasks, %d appointment reminders (%.2f s)",
                result.messages_planned,
                result.tasks_created,
                reminders,
                result.seconds,
            )
        return result

    async def tick(self) -> None:
        """Plan (on the leader only), then wake the dispatcher."""
        if await asyncio.to_thread(self.leads):
            await asyncio.to_thread(self.plan_now)
        if self.dispatcher is not None:
            self.dispatcher.kick()

    def daily_report(self) -> Path | None:
        """Write today's compliance CSV and log the per-counsellor summary (leader only)."""
        if not self.leads():
            return None
        now = self.clock()
        with self.sessions() as session:
            lines = report.participant_lines(session, now, self.rules)
        self.reports.mkdir(parents=True, exist_ok=True)
        path = self.reports / f"conformite-{periods.local_day(now).isoformat()}.csv"
        path.write_text(report.as_csv(lines), encoding="utf-8")
        for line in report.counsellor_lines(lines):
            log.info("conformité %s", line)
        return path

    def retention(self) -> int:
        """Delete delivered outbox rows, finished invitations and processed inbox rows past
        the retention period (leader only)."""
        if not self.leads():
            return 0
        now = self.clock()
        old = now - timedelta(days=self.rules.jobs.outbox_retention_days)
        with self.sessions() as session, session.begin():
            count = repo_outbox.purge_delivered(session, old)
            count += repo_programme.purge_invitations(session, old)
            count += inbox.purge_done(session, now - INBOX_RETENTION)
            count += held_replies.purge_older(session, now - HELD_REPLIES_RETENTION)
            count += sms_store.purge_done(session, now - INBOX_RETENTION)
            people = retention.apply(session, now, self.retention_policy)
        retention.after_delete(wipe.engine_of(self.sessions), people)
        count += people.total
        log.info("rétention : %d lignes supprimées %s", count, people.counts or "")
        return count


def build_scheduler(programme: Programme) -> AsyncIOScheduler:
    """The jobs, with fixed ids; ``coalesce`` and a short misfire grace (no replay)."""
    jobs = programme.rules.jobs
    scheduler = AsyncIOScheduler(
        timezone=PARIS,
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": jobs.misfire_grace_seconds,
        },
    )
    scheduler.add_job(
        programme.tick,
        IntervalTrigger(seconds=jobs.tick_seconds, timezone=PARIS),
        id=TICK,
        name="plan the cadence and wake the dispatcher",
        replace_existing=True,
        next_run_time=datetime.now(PARIS),  # APScheduler runs on real time: tick at start
    )
    report_at, retention_at = jobs.daily_report_time, jobs.retention_time
    scheduler.add_job(
        programme.daily_report,
        CronTrigger(hour=report_at.hour, minute=report_at.minute, timezone=PARIS),
        id=DAILY_REPORT,
        name="compliance report",
        replace_existing=True,
    )
    scheduler.add_job(
        programme.retention,
        CronTrigger(hour=retention_at.hour, minute=retention_at.minute, timezone=PARIS),
        id=RETENTION,
        name="retention",
        replace_existing=True,
    )
    return scheduler


async def run_programme(
    sessions: SessionFactory,
    channels: Mapping[str, Channel],
    stop: asyncio.Event,
    *,
    rules: Rules | None = None,
    clock: Clock = utcnow,
    wakeup: Wakeup | None = None,
    leader: Leadership | None = None,
) -> None:
    """Run the jobs (and the dispatcher when there is a channel) until ``stop`` is set.

    ``wakeup``: the context's; the dispatcher registers on it so that a reply queued by the
    assistant, the relay or the console is sent at once. ``leader``: default, the
    database's leader lock for the programme."""
    if leader is None:
        leader = LeaderLock(sessions.kw["bind"], "programme")
    rules = rules or default_rules()
    dispatcher = None
    unregister = None
    if channels:
        dispatcher = Dispatcher(
            sessions,
            channels,
            rules,
            clock=clock,
            after_send=AFTER_SEND,
        )
        if wakeup is not None:
            unregister = wakeup.register(dispatcher.kick)
    programme = Programme(sessions, rules, dispatcher, clock, leader=leader)
    scheduler = build_scheduler(programme)
    scheduler.start()
    tasks = [asyncio.create_task(dispatcher.run(stop))] if dispatcher else []
    log.info(
        "programme : planification toutes les %d s%s",
        rules.jobs.tick_seconds,
        ", envoi actif" if dispatcher else " (aucun canal : pas d'envoi)",
    )
    try:
        await stop.wait()
    finally:
        stop.set()
        scheduler.shutdown(wait=False)
        for task in tasks:
            await asyncio.gather(task, return_exceptions=True)
        if unregister is not None:
            unregister()
        await asyncio.to_thread(leader.close)
