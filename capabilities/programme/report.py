"""Compliance report: per participant and per counsellor, is the programme's cadence kept?

Weekly contacts met (full ISO weeks since the first meeting), physical meetings last month and
this month, days from orientation to the first meeting, and what is overdue now (the alerts
and tasks the cadence rules raise at ``now``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from capabilities.programme import periods
from capabilities.programme.cadence import PARTICIPANT_KINDS, due_actions
from capabilities.programme.planning import load_rows
from capabilities.programme.rules import Rules
from core.csv_export import csv_dicts
from store import repo_programme
from store.db import Session


@dataclass
class ParticipantLine:
    """One participant's compliance."""

    participant: int
    name: str
    counsellor: str
    orientation: str
    days_to_first_meeting: int | None  # None: not held yet
    weeks_due: int
    weeks_with_contact: int
    meetings_last_month: int
    meetings_this_month: int
    overdue: str  # rule codes, comma-separated

    @property
    def weekly_rate(self) -> float | None:
        """Share of weeks with a contact (None before the first full week)."""
        return self.weeks_with_contact / self.weeks_due if self.weeks_due else None


@dataclass
class CounsellorLine:
    """One counsellor's caseload and compliance."""

    counsellor: str
    participants: int
    weekly_contact_rate: str
    average_meetings_last_month: str
    average_days_to_first_meeting: str
    overdue_participants: int


def _weeks(first_meeting: date, today: date, end: date) -> list[str]:
    """ISO weeks that must have had a contact: after the first meeting's week, before this one."""
    monday = periods.week_start(first_meeting) + timedelta(days=7)
    this_week = periods.week_start(today)
    out = []
    while monday < this_week and monday <= end:
        out.append(periods.iso_week(monday))
        monday += timedelta(days=7)
    return out


def participant_lines(session: Session, now: datetime, rules: Rules) -> list[ParticipantLine]:
    """Every open participant's line, in participant order."""
    today = periods.local_day(now)
    names = repo_programme.staff_names(session)
    contact_weeks: dict[int, set[str]] = defaultdict(set)
    for pid, at in repo_programme.contact_times(session, now):
        contact_weeks[pid].add(periods.iso_week(periods.local_day(at)))
    lines = []
    for row in load_rows(session, now):
        state, history = row.state, row.history
        first = history.first_meeting_at
        days = (periods.local_day(first) - state.orientation_on).days if first else None
        weeks = _weeks(periods.local_day(first), today, state.end(rules)) if first else []
        overdue = sorted(
            {
                action.rule
                for action in due_actions(state, history, now, rules)
                if action.kind not in PARTICIPANT_KINDS
            }
        )
        lines.append(
            ParticipantLine(
                participant=state.id,
                name=row.name,
                counsellor=names.get(state.counsellor_id or 0, "—"),
                orientation=state.orientation_on.isoformat(),
                days_to_first_meeting=days,
                weeks_due=len(weeks),
                weeks_with_contact=sum(1 for week in weeks if week in contact_weeks[state.id]),
                meetings_last_month=history.meetings_done_last_month,
                meetings_this_month=history.meetings_this_month,
                overdue=",".join(overdue),
            )
        )
    return lines


def counsellor_lines(lines: list[ParticipantLine]) -> list[CounsellorLine]:
    """Aggregate participant lines per counsellor."""
    groups: dict[str, list[ParticipantLine]] = defaultdict(list)
    for line in lines:
        groups[line.counsellor].append(line)
    out = []
    for name, group in sorted(groups.items()):
        due = sum(line.weeks_due for line in group)
        met = sum(line.weeks_with_contact for line in group)
        meetings = sum(line.meetings_last_month for line in group)
        firsts = [
            line.days_to_first_meeting for line in group if line.days_to_first_meeting is not None
        ]
        out.append(
            CounsellorLine(
                counsellor=name,
                participants=len(group),
                weekly_contact_rate=f"{met / due:.0%}" if due else "—",
                average_meetings_last_month=f"{meetings / len(group):.1f}",
                average_days_to_first_meeting=f"{sum(firsts) / len(firsts):.1f}" if firsts else "—",
                overdue_participants=sum(1 for line in group if line.overdue),
            )
        )
    return out


def as_csv(lines: list[ParticipantLine] | list[CounsellorLine]) -> str:
    """CSV with a header row (the shared writer: ``;``, UTF-8 BOM, formulas neutralised)."""
    if not lines:
        return ""
    rows = [asdict(line) for line in lines]
    return csv_dicts(rows, list(rows[0]))


def as_table(lines: list[ParticipantLine] | list[CounsellorLine]) -> str:
    """A plain aligned text table."""
    if not lines:
        return "(aucun participant)\n"
    rows = [[str(v) if v is not None else "—" for v in asdict(line).values()] for line in lines]
    header = list(asdict(lines[0]))
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out) + "\n"
