"""The programme's cadence as a pure function: (participant, history, now, rules) → due actions.

No database, no clock, no I/O: the planner feeds it rows computed in SQL, the ``due`` and
``report`` commands feed it the same rows, and the tests feed it hand-made histories. Each
action carries a reason code, a French sentence for the counsellor and an idempotency key
(participant + rule + period), so planning twice never duplicates anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from capabilities.programme import periods
from capabilities.programme.rules import Rules
from capabilities.programme.weeks import (
    diagnosis_due_reason,
    diagnosis_overdue_reason,
    duration_reason,
    end_approaching_reason,
    final_overdue_reason,
    fmt_day,
    meetings_missed_reason,
    meetings_not_planned_reason,
    no_contact_reason,
    week_of,
)
from core.i18n import DEFAULT_LOCALE, ngettext_for

ngettext = ngettext_for(DEFAULT_LOCALE)  # staff-facing texts: French plural forms


class Kind(StrEnum):
    """Who the action is for and how urgent it is."""

    NUDGE = "nudge"  # the weekly check-in message to the participant
    REMIND = "remind"  # one gentle reminder to the participant
    ALERT = "alert_counsellor"  # the counsellor must know now
    TASK = "counsellor_task"  # something for the counsellor's to-do list


PARTICIPANT_KINDS = (Kind.NUDGE, Kind.REMIND)


@dataclass(frozen=True)
class ParticipantState:
    """What the cadence needs to know about a participant (one row of the planner's query)."""

    id: int
    orientation_on: date
    counsellor_id: int | None = None
    programme_start: date | None = None
    programme_end: date | None = None
    cer_signed_on: date | None = None
    diagnosis_3m_on: date | None = None
    diagnosis_final_on: date | None = None
    status: str = "active"
    # Linked to a channel, not opted out (/stop), not marked unreachable.
    reachable: bool = True

    @property
    def start(self) -> date:
        """The programme starts at the orientation unless the counsellor set a date."""
        return self.programme_start or self.orientation_on

    def end(self, rules: Rules) -> date:
        """The programme ends on the date set, else after the maximum duration."""
        return self.programme_end or periods.add_months(self.start, rules.programme.max_months)


@dataclass(frozen=True)
class History:
    """The contacts and meetings that matter at ``now`` (aggregated by the planner's query)."""

    last_contact_at: datetime | None = None  # any check-in answer, call, meeting…
    last_checkin_at: datetime | None = None  # the last weekly check-in actually sent
    first_meeting_at: datetime | None = None  # the first physical meeting held
    next_meeting_at: datetime | None = None  # the next physical meeting booked (future)
    meetings_this_month: int = 0  # held or booked, this Paris month
    meetings_done_last_month: int = 0

    @classmethod
    def from_events(
        cls,
        now: datetime,
        *,
        contacts: Iterable[datetime] = (),
        meetings: Iterable[datetime] = (),
        checkins: Iterable[datetime] = (),
    ) -> History:
        """Build the aggregate from raw events (tests, reports): what the SQL computes."""
        today = periods.local_day(now)
        month, last_month = periods.month_first(today), periods.previous_month(today)
        held = sorted(m for m in meetings if m <= now)
        booked = sorted(m for m in meetings if m > now)
        past_contacts = [c for c in [*contacts, *held] if c <= now]
        sent = [c for c in checkins if c <= now]
        return cls(
            last_contact_at=max(past_contacts, default=None),
            last_checkin_at=max(sent, default=None),
            first_meeting_at=held[0] if held else None,
            next_meeting_at=booked[0] if booked else None,
            meetings_this_month=sum(
                1 for m in [*held, *booked] if periods.month_first(periods.local_day(m)) == month
            ),
            meetings_done_last_month=sum(
                1 for m in held if periods.month_first(periods.local_day(m)) == last_month
            ),
        )


@dataclass(frozen=True)
class DueAction:
    """Something the scheduler must do now for a participant (or a counsellor)."""

    kind: Kind
    rule: str  # reason code: "weekly_checkin", "first_meeting_overdue"…
    reason: str  # for the counsellor, in French
    key: str  # idempotency key: rule + participant + period
    participant_id: int | None
    counsellor_id: int | None
    not_before: datetime
    expires_at: datetime | None = None
    period: str = ""
    data: dict[str, int] = field(default_factory=dict, compare=False)


def due_actions(
    participant: ParticipantState, history: History, now: datetime, rules: Rules
) -> list[DueAction]:
    """Every action due for one participant at ``now``, each with its reason."""
    if participant.status in ("ended", "reoriented"):
        return []
    today = periods.local_day(now)
    out: list[DueAction] = []

    def add(
        kind: Kind,
        rule: str,
        reason: str,
        period: str = "",
        *,
        not_before: datetime | None = None,
        expires_at: datetime | None = None,
    ) -> None:
        key = f"{rule}:{participant.id}" + (f":{period}" if period else "")
        out.append(
            DueAction(
                kind,
                rule,
                reason,
                key,
                participant.id,
                participant.counsellor_id,
                not_before or now,
                expires_at,
                period,
            )
        )

    _first_meeting(participant, history, today, rules, add)
    _weekly(participant, history, now, today, rules, add)
    _meetings(participant, history, today, rules, add)
    _diagnosis_and_end(participant, today, rules, add)
    return out


def _first_meeting(
    participant: ParticipantState, history: History, today: date, rules: Rules, add: _Add
) -> None:
    first = rules.first_meeting
    if history.first_meeting_at is not None:
        if participant.cer_signed_on is None:
            met = periods.local_day(history.first_meeting_at)
            if (today - met).days >= rules.cer.grace_days_after_first_meeting:
                add(Kind.TASK, "cer_missing", cer_reason(fmt_day(met)))
        return
    days = (today - participant.orientation_on).days
    deadline = participant.orientation_on + timedelta(days=first.within_days)
    booked = history.next_meeting_at
    if days >= first.task_if_not_booked_after_days and booked is None:
        add(
            Kind.TASK,
            "first_meeting_not_booked",
            first_not_booked_reason(days, participant.orientation_on, first.within_days),
        )
    booked_in_time = booked is not None and periods.local_day(booked) <= deadline
    if today > deadline or (today == deadline and not booked_in_time):
        add(
            Kind.ALERT,
            "first_meeting_overdue",
            first_overdue_reason(days, participant.orientation_on, first.within_days),
        )


def cer_reason(met: str) -> str:
    """The counsellor's sentence of ``cer_missing`` (``met``: the first meeting's day)."""
    return (
        f"CER non enregistré après le premier rendez-vous du {met} (à contractualiser au 1er RDV)."
    )


def unanswered_reason(sent: str, days: int) -> str:
    """The counsellor's sentence of ``checkin_unanswered`` (``sent``: the check-in's day)."""
    return f"Aucune réponse ni contact depuis le message de suivi du {sent} ({days} jours)."


def first_not_booked_reason(days: int, orientation_on: date, within: int) -> str:
    """The counsellor's sentence of ``first_meeting_not_booked``."""
    return ngettext(
        "Premier rendez-vous pas encore fixé, {days} jour après l'orientation du {day} "
        "(à tenir sous {within} jours).",
        "Premier rendez-vous pas encore fixé, {days} jours après l'orientation du {day} "
        "(à tenir sous {within} jours).",
        days,
    ).format(days=days, day=fmt_day(orientation_on), within=within)


def first_overdue_reason(days: int, orientation_on: date, within: int) -> str:
    """The counsellor's sentence of ``first_meeting_overdue``."""
    return ngettext(
        "Premier rendez-vous non tenu {days} jour après l'orientation du {day} "
        "(délai : {within} jours).",
        "Premier rendez-vous non tenu {days} jours après l'orientation du {day} "
        "(délai : {within} jours).",
        days,
    ).format(days=days, day=fmt_day(orientation_on), within=within)


def _weekly(
    participant: ParticipantState,
    history: History,
    now: datetime,
    today: date,
    rules: Rules,
    add: _Add,
) -> None:
    weekly = rules.weekly_contact
    w = week_of(now, today, rules)
    if history.first_meeting_at is None or participant.start >= w.monday:
        return  # weekly contact is organised from the first meeting, from the first full week
    if today > participant.end(rules):
        return
    week = w.label
    contacted = history.last_contact_at is not None and history.last_contact_at >= w.opens
    checked = history.last_checkin_at is not None and history.last_checkin_at >= w.opens
    due = w.slot is not None and now >= w.slot and w.send_at is not None and w.send_at < w.closes
    if participant.reachable and not contacted and not checked and due:
        add(
            Kind.NUDGE,
            "weekly_checkin",
            f"Message de suivi de la semaine {week}.",
            week,
            not_before=w.send_at,
            expires_at=w.closes,
        )
    last_checkin = history.last_checkin_at
    if last_checkin is not None:
        answered = history.last_contact_at is not None and history.last_contact_at >= last_checkin
        sent_week = periods.iso_week(periods.local_day(last_checkin))
        remind_at = last_checkin + timedelta(hours=weekly.reminder_after_hours)
        alert_at = last_checkin + timedelta(days=weekly.alert_after_days)
        if not answered and participant.reachable and remind_at <= now < alert_at:
            send_at = w.send_at
            if send_at is not None and send_at < alert_at:
                add(
                    Kind.REMIND,
                    "checkin_reminder",
                    f"Rappel : pas de réponse au message de suivi de la semaine {sent_week}.",
                    sent_week,
                    not_before=send_at,
                    expires_at=alert_at,
                )
        if not answered and now >= alert_at:
            sent = fmt_day(periods.local_day(last_checkin))
            add(
                Kind.ALERT,
                "checkin_unanswered",
                unanswered_reason(sent, weekly.alert_after_days),
                sent_week,
            )
    if not contacted and today.isoweekday() >= weekly.counsellor_task_weekday:
        add(
            Kind.TASK,
            "no_contact_this_week",
            no_contact_reason(week),
            week,
        )


def _meetings(
    participant: ParticipantState, history: History, today: date, rules: Rules, add: _Add
) -> None:
    meetings = rules.physical_meetings
    month = periods.month_first(today)
    if participant.start <= month and today.day >= meetings.planned_by_day:
        planned = history.meetings_this_month
        if planned < meetings.per_month:
            add(
                Kind.TASK,
                "meetings_not_planned",
                meetings_not_planned_reason(planned, today, meetings.per_month),
                periods.month_label(month),
            )
    last = periods.previous_month(today)
    full_month = participant.start <= last and participant.end(rules) >= periods.month_last(last)
    in_grace = (today - month).days < meetings.done_alert_days_into_next_month
    if full_month and in_grace and history.meetings_done_last_month < meetings.per_month:
        add(
            Kind.ALERT,
            "meetings_missed",
            meetings_missed_reason(history.meetings_done_last_month, last, meetings.per_month),
            periods.month_label(last),
        )


def _diagnosis_and_end(participant: ParticipantState, today: date, rules: Rules, add: _Add) -> None:
    diagnosis, programme = rules.diagnosis, rules.programme
    start, end = participant.start, participant.end(rules)
    if participant.programme_end is not None:
        shortest = periods.add_months(start, programme.min_months)
        longest = periods.add_months(start, programme.max_months)
        if not shortest <= end <= longest:
            add(
                Kind.TASK,
                "duration_out_of_range",
                duration_reason(end, start, programme.min_months, programme.max_months),
            )
    due = periods.add_months(start, diagnosis.after_months)
    if participant.diagnosis_3m_on is None and due <= end:
        if today >= due - timedelta(days=diagnosis.remind_days_before):
            add(Kind.TASK, "diagnosis_3m_due", diagnosis_due_reason(due, diagnosis.after_months))
        if today >= due + timedelta(days=diagnosis.overdue_days):
            add(
                Kind.ALERT,
                "diagnosis_3m_overdue",
                diagnosis_overdue_reason(due, diagnosis.after_months),
            )
    if participant.diagnosis_final_on is None:
        if today >= end - timedelta(days=programme.end_warning_days):
            add(Kind.TASK, "programme_end_approaching", end_approaching_reason(end))
        if today >= end + timedelta(days=diagnosis.overdue_days):
            add(Kind.ALERT, "final_diagnosis_overdue", final_overdue_reason(end))


def caseload_actions(
    counsellor_id: int, active: int, now: datetime, rules: Rules
) -> list[DueAction]:
    """An alert when a counsellor follows more participants than the programme allows."""
    limit = rules.caseload.max_per_counsellor
    if active <= limit:
        return []
    week = periods.iso_week(periods.local_day(now))
    return [
        DueAction(
            Kind.ALERT,
            "caseload_above_limit",
            f"{active} participants suivis pour {limit} prévus par conseiller.",
            f"caseload_above_limit:c{counsellor_id}:{week}",
            None,
            counsellor_id,
            now,
            None,
            week,
        )
    ]


class _Add(Protocol):  # the signature of the local ``add`` helper, for the type checker
    def __call__(
        self,
        kind: Kind,
        rule: str,
        reason: str,
        period: str = "",
        *,
        not_before: datetime | None = None,
        expires_at: datetime | None = None,
    ) -> None: ...
