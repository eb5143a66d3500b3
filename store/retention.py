"""Retention as data (``config/retention.yaml``): what is deleted, table by table, and when.

``plan`` counts, ``apply`` deletes; both give the rows per table. After deleting, SQLite's
write-ahead log is checkpointed and PostgreSQL's tables are vacuumed (:mod:`store.wipe`).
Inactive people are erased with everything about them (``ON DELETE CASCADE``), as by
/supprimer; the counts per table come from :mod:`store.person_data`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import delete, func, select
from sqlalchemy.orm import InstrumentedAttribute

from core.i18n import DEFAULT_LOCALE, ngettext_for
from store import person_data, wipe
from store.console_models import AuditEntry, LoginAttempt
from store.console_sessions import ConsoleSession
from store.db import Engine, Session
from store.media import PersonMedia
from store.models import Person

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "config" / "retention.yaml"
KEYS = (
    "people_inactive_months",
    "login_attempts_months",
    "audit_months",
    "ended_sessions_days",
    "media_months",
)


class RetentionConfigError(ValueError):
    """``config/retention.yaml`` is wrong; the message names the key."""


@dataclass(frozen=True)
class Policy:
    """The retention periods."""

    people_inactive_months: int = 24
    login_attempts_months: int = 6
    audit_months: int = 12
    ended_sessions_days: int = 30
    media_months: int = 3

    @staticmethod
    def months(count: int) -> timedelta:
        return timedelta(days=round(count * 365.25 / 12))


def load_policy(path: Path = DEFAULT_PATH) -> Policy:
    """Read and check the file: every key a whole number of at least 1."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise RetentionConfigError(f"{path.name} : un dictionnaire de durées est attendu")
    values = {}
    for key in KEYS:
        value = data.get(key, getattr(Policy, key))
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise RetentionConfigError(f"{path.name} : « {key} » doit être un entier ≥ 1")
        values[key] = value
    unknown = set(data) - set(KEYS)
    if unknown:
        raise RetentionConfigError(f"{path.name} : clé inconnue « {sorted(unknown)[0]} »")
    return Policy(**values)


@dataclass(frozen=True)
class Outcome:
    """Rows per table (counted, or deleted)."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _older(session: Session, column: InstrumentedAttribute[datetime], before: datetime) -> int:
    query = select(func.count()).select_from(column.class_).where(column < before)
    return int(session.scalar(query) or 0)


def _old_media(session: Session, before: datetime, erased: list[int]) -> int:
    """Voice notes and photos past their period, apart from those of people erased whole
    (already counted with them)."""
    query = select(func.count()).select_from(PersonMedia).where(PersonMedia.created_at < before)
    if erased:
        query = query.where(PersonMedia.person_id.not_in(erased))
    return int(session.scalar(query) or 0)


def plan(session: Session, now: datetime, policy: Policy) -> tuple[Outcome, list[int]]:
    """What retention would delete now, per table, and the people it would erase."""
    people = person_data.inactive_people(
        session, now - policy.months(policy.people_inactive_months)
    )
    counts = person_data.counts_for(session, people)
    others = {
        "login_attempts": _older(
            session, LoginAttempt.at, now - policy.months(policy.login_attempts_months)
        ),
        "audit_log": _older(session, AuditEntry.at, now - policy.months(policy.audit_months)),
        "console_sessions": _older(
            session,
            ConsoleSession.last_seen_at,
            now - timedelta(days=policy.ended_sessions_days),
        ),
        "person_media": _old_media(session, now - policy.months(policy.media_months), people),
    }
    for table, count in others.items():
        if count:
            counts[table] = counts.get(table, 0) + count
    return Outcome(counts), people


def apply(session: Session, now: datetime, policy: Policy) -> Outcome:
    """Delete what :func:`plan` counts, in the caller's transaction (commit is theirs)."""
    outcome, people = plan(session, now, policy)
    for person_id in people:
        person = session.get(Person, person_id)
        if person is not None:
            session.delete(person)  # cascades to everything about them
    session.flush()
    session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.at < now - policy.months(policy.login_attempts_months)
        )
    )
    session.execute(
        delete(AuditEntry).where(AuditEntry.at < now - policy.months(policy.audit_months))
    )
    session.execute(
        delete(PersonMedia).where(PersonMedia.created_at < now - policy.months(policy.media_months))
    )
    session.execute(
        delete(ConsoleSession).where(
            ConsoleSession.last_seen_at < now - timedelta(days=policy.ended_sessions_days)
        )
    )
    return outcome


def after_delete(engine: Engine, outcome: Outcome) -> None:
    """Nothing readable left on disk: checkpoint (SQLite) or vacuum (PostgreSQL)."""
    if outcome.total:
        wipe.checkpoint(engine)
        wipe.vacuum(engine, sorted(outcome.counts))


def report(outcome: Outcome, *, dry_run: bool) -> str:
    """The per-table lines the command prints."""
    ngettext = ngettext_for(DEFAULT_LOCALE)
    if not outcome.total:
        return "rétention : rien à supprimer\n"
    lines = [
        f"{table} : "
        + (
            ngettext("{n} ligne à supprimer", "{n} lignes à supprimer", count)
            if dry_run
            else ngettext("{n} ligne supprimée", "{n} lignes supprimées", count)
        ).format(n=count)
        for table, count in sorted(outcome.counts.items())
    ]
    return "\n".join([*lines, f"total : {outcome.total}"]) + "\n"
