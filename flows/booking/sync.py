"""Write the checked configuration into the agenda tables (idempotent, at start-up)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from flows.booking.agenda import forget_calendars
from flows.booking.config import WEEKDAYS, AppointmentsConfig
from flows.catalog import EspaceConfig
from store.appointments import Closure, Espace, Motif, OpeningPeriod, PeriodStaff
from store.staff import Staff


def _end_of(start: time, minutes: int) -> time:
    moment = datetime.combine(date(2000, 1, 3), start) + timedelta(minutes=minutes)
    return moment.time()


def sync_config(session: Session, config: AppointmentsConfig, espaces: list[EspaceConfig]) -> None:
    """Make the agenda tables say what the files say; bookings are never touched."""
    known = {e.id: e for e in session.scalars(select(Espace))}
    for item in espaces:
        espace = known.get(item.id) or Espace(id=item.id)
        espace.name, espace.commune, espace.active = item.name, item.commune, True
        session.add(espace)
    motifs = {m.id: m for m in session.scalars(select(Motif))}
    for position, m in enumerate(config.motifs):
        motif = motifs.pop(m.id, None) or Motif(id=m.id)
        motif.label, motif.duration_min, motif.kind = m.label, m.duration_min, m.kind
        motif.capacity, motif.rsa, motif.physical = m.capacity, m.rsa, m.physical
        motif.bring, motif.position, motif.active = list(m.bring), position, True
        session.add(motif)
    for stale in motifs.values():
        stale.active = False  # old bookings keep their motif
    staff_ids: dict[str, int] = {}
    for member in config.staff:
        found = session.scalars(select(Staff).where(Staff.email == member.email)).one_or_none()
        if found is None:
            found = Staff(name=member.name, email=member.email, role="counsellor")
            session.add(found)
            session.flush()
        staff_ids[member.key] = found.id
    session.flush()
    session.execute(delete(PeriodStaff))
    session.execute(delete(OpeningPeriod))
    session.execute(delete(Closure))
    for period in config.periods:
        for weekday in period.weekdays:
            row = OpeningPeriod(
                espace_id=period.espace,
                weekday=WEEKDAYS.index(weekday),
                start=period.start,
                end=period.end,
                motif_ids=list(period.motifs),
                valid_from=period.valid_from,
                valid_until=period.valid_until,
                example=config.example,
            )
            session.add(row)
            session.flush()
            for key in dict.fromkeys(period.staff):
                session.add(PeriodStaff(period_id=row.id, staff_id=staff_ids[key]))
    for s in config.sessions:
        motif_config = config.motif(s.motif)
        assert motif_config is not None  # checked at load
        for weekday in s.weekdays:
            session.add(
                OpeningPeriod(
                    espace_id=s.espace,
                    weekday=WEEKDAYS.index(weekday),
                    start=s.start,
                    end=_end_of(s.start, motif_config.duration_min),
                    motif_id=s.motif,
                    capacity=s.capacity or motif_config.capacity,
                    motif_ids=[],
                    valid_from=s.valid_from,
                    valid_until=s.valid_until,
                    example=config.example,
                )
            )
    for c in config.closures:
        session.add(
            Closure(espace_id=c.espace, day=c.date, start=c.start, end=c.end, reason=c.reason)
        )
    session.flush()
    forget_calendars()
