"""The two programme rates of the console's indicators."""

from __future__ import annotations

from datetime import datetime

from capabilities.appointments.stats import stats_rows
from capabilities.programme.report import participant_lines
from capabilities.programme.rules import Rules
from store.db import Session


def programme_rates(session: Session, now: datetime, rules: Rules) -> dict[str, float | None]:
    """No-show rate (of meetings with a known outcome) and weekly-contact compliance."""
    seen = noshow = 0
    for row in stats_rows(session):
        seen += int(str(row["seen"]))
        noshow += int(str(row["noshow"]))
    lines = participant_lines(session, now, rules)
    due = sum(line.weeks_due for line in lines)
    met = sum(line.weeks_with_contact for line in lines)
    return {
        "noshow_rate": noshow / (seen + noshow) if seen + noshow else None,
        "weekly_contact_rate": met / due if due else None,
    }
