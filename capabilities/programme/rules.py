"""The cadence rules, loaded from ``config/cadence.yaml`` and validated once.

Every delay and threshold the scheduler uses lives in that file (with its source); code never
hard-codes them. A bad value raises :class:`RulesError` naming the key to fix.
"""

from __future__ import annotations

from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.calendar import QuietHours

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "config" / "cadence.yaml"


class RulesError(RuntimeError):
    """The cadence file is missing or invalid."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FirstMeeting(_Strict):
    within_days: int = Field(default=15, ge=1, le=90)
    task_if_not_booked_after_days: int = Field(default=7, ge=0, le=90)

    @model_validator(mode="after")
    def _order(self) -> FirstMeeting:
        if self.task_if_not_booked_after_days > self.within_days:
            raise ValueError("task_if_not_booked_after_days must not exceed within_days")
        return self


class Cer(_Strict):
    grace_days_after_first_meeting: int = Field(default=2, ge=0, le=60)


class WeeklyContact(_Strict):
    per_iso_week: int = Field(default=1, ge=1, le=7)
    checkin_weekday: int = Field(default=2, ge=1, le=7)
    checkin_time: time = time(10, 0)
    reminder_after_hours: int = Field(default=48, ge=1, le=24 * 7)
    alert_after_days: int = Field(default=7, ge=1, le=30)
    counsellor_task_weekday: int = Field(default=4, ge=1, le=7)


class Window(_Strict):
    weekdays: tuple[int, ...] = (1, 2, 3, 4, 5)
    start: time = time(9, 0)
    end: time = time(18, 0)
    skip_public_holidays: bool = True

    @field_validator("weekdays")
    @classmethod
    def _days(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value or any(day < 1 or day > 7 for day in value):
            raise ValueError("weekdays are ISO numbers 1 (Monday) to 7 (Sunday)")
        return tuple(sorted(set(value)))

    @model_validator(mode="after")
    def _order(self) -> Window:
        if self.start >= self.end:
            raise ValueError("start must be before end")
        return self


class PhysicalMeetings(_Strict):
    per_month: int = Field(default=2, ge=0, le=31)
    planned_by_day: int = Field(default=15, ge=1, le=28)
    done_alert_days_into_next_month: int = Field(default=7, ge=1, le=28)


class Diagnosis(_Strict):
    after_months: int = Field(default=3, ge=1, le=12)
    remind_days_before: int = Field(default=7, ge=0, le=60)
    overdue_days: int = Field(default=7, ge=0, le=60)


class Programme(_Strict):
    min_months: int = Field(default=3, ge=1, le=24)
    max_months: int = Field(default=6, ge=1, le=24)
    end_warning_days: int = Field(default=14, ge=0, le=90)

    @model_validator(mode="after")
    def _order(self) -> Programme:
        if self.min_months > self.max_months:
            raise ValueError("min_months must not exceed max_months")
        return self


class Caseload(_Strict):
    max_per_counsellor: int = Field(default=50, ge=1, le=1000)


class InvitationRules(_Strict):
    expires_days: int = Field(default=14, ge=1, le=90)


class Dispatch(_Strict):
    rate_per_second: float = Field(default=30, gt=0, le=30)
    paid_broadcast: bool = False
    paid_rate_per_second: float = Field(default=1000, gt=0, le=1000)
    max_in_flight: int = Field(default=20, ge=1, le=500)
    claim_timeout_seconds: float = Field(default=60, gt=0)
    max_attempts: int = Field(default=6, ge=1, le=50)
    backoff_base_seconds: float = Field(default=5, gt=0)
    backoff_max_seconds: float = Field(default=900, gt=0)
    poll_seconds: float = Field(default=1.0, gt=0, le=60)

    @property
    def rate(self) -> float:
        """Messages per second actually allowed."""
        return self.paid_rate_per_second if self.paid_broadcast else self.rate_per_second


class Quiet(_Strict):
    start: time = time(20, 0)
    end: time = time(8, 30)


class Jobs(_Strict):
    tick_seconds: int = Field(default=60, ge=1, le=3600)
    misfire_grace_seconds: int = Field(default=30, ge=1, le=3600)
    daily_report_time: time = time(7, 0)
    retention_time: time = time(3, 30)
    outbox_retention_days: int = Field(default=90, ge=1, le=3650)
    # PostgreSQL: the round's batches, planned side by side and committed each on its own
    # (``capabilities/programme/batches.py``); SQLite always plans in one.
    planning_batches: int = Field(default=2, ge=1, le=16)


class Rules(_Strict):
    """Everything in ``config/cadence.yaml``."""

    timezone: str = "Europe/Paris"
    first_meeting: FirstMeeting = FirstMeeting()
    cer: Cer = Cer()
    weekly_contact: WeeklyContact = WeeklyContact()
    checkin_window: Window = Window()
    physical_meetings: PhysicalMeetings = PhysicalMeetings()
    diagnosis: Diagnosis = Diagnosis()
    programme: Programme = Programme()
    caseload: Caseload = Caseload()
    invitation: InvitationRules = InvitationRules()
    dispatch: Dispatch = Dispatch()
    quiet_hours: Quiet = Quiet()
    jobs: Jobs = Jobs()

    @field_validator("timezone")
    @classmethod
    def _paris(cls, value: str) -> str:
        if value != "Europe/Paris":
            raise ValueError("only Europe/Paris is supported (holidays and quiet hours)")
        return value

    @model_validator(mode="after")
    def _checkin_in_window(self) -> Rules:
        window, weekly = self.checkin_window, self.weekly_contact
        if not window.start <= weekly.checkin_time < window.end:
            raise ValueError("weekly_contact.checkin_time must be inside checkin_window")
        if not window.start >= self.quiet_hours.end or window.end > self.quiet_hours.start:
            raise ValueError("checkin_window must lie outside the quiet hours")
        return self

    @property
    def quiet(self) -> QuietHours:
        """The send-time guard for nights and rest days."""
        return QuietHours(start=self.quiet_hours.start, end=self.quiet_hours.end)


def parse_rules(data: dict[str, Any]) -> Rules:
    """Validate a mapping (the parsed YAML) into :class:`Rules`."""
    try:
        return Rules.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise RulesError(f"config/cadence.yaml invalide : {problems}") from exc


def load_rules(path: Path | None = None) -> Rules:
    """Read and validate the cadence file."""
    path = path or DEFAULT_PATH
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RulesError(f"impossible de lire {path} : {exc}") from exc
    if not isinstance(data, dict):
        raise RulesError(f"{path} doit contenir un dictionnaire")
    return parse_rules(data)


@lru_cache(maxsize=1)
def default_rules() -> Rules:
    """The process-wide rules from ``config/cadence.yaml``."""
    return load_rules()
