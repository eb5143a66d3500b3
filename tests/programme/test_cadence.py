"""The cadence rules with an injected clock: month ends, DST changes, public holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from capabilities.programme import periods
from capabilities.programme.cadence import (
    DueAction,
    History,
    Kind,
    ParticipantState,
    caseload_actions,
    due_actions,
)
from capabilities.programme.rules import RulesError, default_rules, load_rules, parse_rules
from core.clock import PARIS

RULES = default_rules()


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def participant(**kwargs: object) -> ParticipantState:
    values: dict[str, object] = {"id": 7, "orientation_on": date(2026, 9, 1), "counsellor_id": 3}
    values.update(kwargs)
    return ParticipantState(**values)  # type: ignore[arg-type]


def rules_of(actions: list[DueAction]) -> set[str]:
    return {action.rule for action in actions}


def one(actions: list[DueAction], rule: str) -> DueAction:
    (found,) = [a for a in actions if a.rule == rule]
    return found


# A participant well into the programme, with everything in order this month.
def good_history(now: datetime, **kwargs: object) -> History:
    values: dict[str, object] = {
        "first_meeting_at": paris(2026, 9, 10, 10),
        "last_contact_at": now - timedelta(hours=1),
        "meetings_this_month": 2,
        "meetings_done_last_month": 2,
    }
    values.update(kwargs)
    return History(**values)  # type: ignore[arg-type]


def settled(**kwargs: object) -> ParticipantState:
    values: dict[str, object] = {
        "cer_signed_on": date(2026, 9, 10),
        "diagnosis_3m_on": date(2026, 12, 1),
    }
    values.update(kwargs)
    return participant(**values)


# --- configuration ------------------------------------------------------------------------


def test_the_shipped_file_holds_the_seed_values() -> None:
    rules = load_rules()
    assert rules.first_meeting.within_days == 15
    assert rules.weekly_contact.per_iso_week == 1
    assert rules.physical_meetings.per_month == 2
    assert rules.diagnosis.after_months == 3
    assert (rules.programme.min_months, rules.programme.max_months) == (3, 6)
    assert rules.caseload.max_per_counsellor == 50
    assert rules.dispatch.rate == 30


def test_a_bad_value_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match=r"first_meeting\.within_days"):
        parse_rules({"first_meeting": {"within_days": 0}})
    with pytest.raises(RulesError, match="checkin_time"):
        parse_rules({"weekly_contact": {"checkin_time": "19:00"}})
    with pytest.raises(RulesError, match=r"[Ee]xtra"):
        parse_rules({"first_meting": {}})
    bad = tmp_path / "c.yaml"
    bad.write_text("- a list\n")
    with pytest.raises(RulesError):
        load_rules(bad)


# --- first meeting and CER ----------------------------------------------------------------


def test_first_meeting_task_at_day_7_and_alert_at_day_15_across_a_month_end() -> None:
    p = participant(orientation_on=date(2026, 11, 20))
    day6 = due_actions(p, History(), paris(2026, 11, 26, 10), RULES)
    assert "first_meeting_not_booked" not in rules_of(day6)
    day7 = due_actions(p, History(), paris(2026, 11, 27, 10), RULES)
    task = one(day7, "first_meeting_not_booked")
    assert task.kind is Kind.TASK and task.key == "first_meeting_not_booked:7"
    assert "20/11/2026" in task.reason
    day14 = due_actions(p, History(), paris(2026, 12, 4, 10), RULES)
    assert "first_meeting_overdue" not in rules_of(day14)
    day15 = due_actions(p, History(), paris(2026, 12, 5, 10), RULES)
    assert one(day15, "first_meeting_overdue").kind is Kind.ALERT


def test_a_booked_first_meeting_silences_the_task_and_the_alert_until_it_is_late() -> None:
    p = participant(orientation_on=date(2026, 11, 20))
    booked = History(next_meeting_at=paris(2026, 12, 5, 14))
    assert due_actions(p, booked, paris(2026, 11, 30, 10), RULES) == []
    assert "first_meeting_overdue" not in rules_of(
        due_actions(p, booked, paris(2026, 12, 5, 9), RULES)
    )
    booked_late = History(next_meeting_at=paris(2026, 12, 9, 14))
    late = due_actions(p, booked_late, paris(2026, 12, 5, 10), RULES)
    assert rules_of(late) == {"first_meeting_overdue"}  # booked, but after the 15 days


def test_cer_is_expected_at_the_first_meeting() -> None:
    p = participant(orientation_on=date(2026, 11, 20))
    met = History(first_meeting_at=paris(2026, 11, 30, 14), last_contact_at=paris(2026, 11, 30, 14))
    assert "cer_missing" not in rules_of(due_actions(p, met, paris(2026, 12, 1, 10), RULES))
    assert "cer_missing" in rules_of(due_actions(p, met, paris(2026, 12, 2, 10), RULES))
    signed = participant(orientation_on=date(2026, 11, 20), cer_signed_on=date(2026, 11, 30))
    assert "cer_missing" not in rules_of(due_actions(signed, met, paris(2026, 12, 2, 10), RULES))


# --- weekly check-in -------------------------------------------------------------------------


def test_weekly_checkin_goes_out_on_tuesday_at_ten_paris_time() -> None:
    p = settled()
    monday = paris(2026, 11, 30, 10)
    history = good_history(monday, last_contact_at=paris(2026, 11, 27, 10))
    assert "weekly_checkin" not in rules_of(due_actions(p, history, monday, RULES))
    tuesday_early = paris(2026, 12, 1, 9, 59)
    assert "weekly_checkin" not in rules_of(due_actions(p, history, tuesday_early, RULES))
    tuesday = paris(2026, 12, 1, 10)
    nudge = one(due_actions(p, history, tuesday, RULES), "weekly_checkin")
    assert nudge.kind is Kind.NUDGE
    assert nudge.key == "weekly_checkin:7:2026-W49"
    assert nudge.not_before == tuesday
    assert nudge.expires_at == paris(2026, 12, 7, 0)


def test_no_checkin_when_the_week_already_had_a_contact_or_a_checkin() -> None:
    p = settled()
    now = paris(2026, 12, 1, 11)
    called = good_history(now, last_contact_at=paris(2026, 11, 30, 15))
    assert "weekly_checkin" not in rules_of(due_actions(p, called, now, RULES))
    sent = good_history(
        now, last_contact_at=paris(2026, 11, 27, 10), last_checkin_at=paris(2026, 12, 1, 10)
    )
    assert "weekly_checkin" not in rules_of(due_actions(p, sent, now, RULES))


def test_no_checkin_for_someone_unreachable_but_the_counsellor_gets_the_weekly_task() -> None:
    p = settled(reachable=False)
    thursday = paris(2026, 12, 3, 10)
    history = good_history(thursday, last_contact_at=paris(2026, 11, 27, 10))
    actions = due_actions(p, history, thursday, RULES)
    assert "weekly_checkin" not in rules_of(actions)
    assert one(actions, "no_contact_this_week").key == "no_contact_this_week:7:2026-W49"
    wednesday = due_actions(p, history, paris(2026, 12, 2, 10), RULES)
    assert "no_contact_this_week" not in rules_of(wednesday)


def test_checkin_moves_to_the_next_working_day_on_a_public_holiday() -> None:
    p = settled(orientation_on=date(2026, 6, 1), diagnosis_3m_on=date(2026, 9, 1))
    tuesday_14_july = paris(2026, 7, 14, 10)
    history = good_history(tuesday_14_july, last_contact_at=paris(2026, 7, 10, 10))
    assert "weekly_checkin" not in rules_of(due_actions(p, history, tuesday_14_july, RULES))
    wednesday = paris(2026, 7, 15, 10)
    nudge = one(due_actions(p, history, wednesday, RULES), "weekly_checkin")
    assert nudge.not_before == paris(2026, 7, 15, 10)


def test_checkin_late_in_the_evening_waits_for_the_next_window() -> None:
    p = settled()
    evening = paris(2026, 12, 1, 19)
    history = good_history(evening, last_contact_at=paris(2026, 11, 27, 10))
    nudge = one(due_actions(p, history, evening, RULES), "weekly_checkin")
    assert nudge.not_before == paris(2026, 12, 2, 9)
    friday_night = paris(2026, 12, 4, 19)
    history = good_history(friday_night, last_contact_at=paris(2026, 11, 27, 10))
    assert "weekly_checkin" not in rules_of(due_actions(p, history, friday_night, RULES))


def test_checkin_slot_across_the_spring_dst_change_and_easter_monday() -> None:
    # Sunday 28 March 2027 the clocks go forward; Monday 29 is Easter Monday.
    assert periods.checkin_slot(date(2027, 3, 24), RULES) == datetime(2027, 3, 23, 9, tzinfo=UTC)
    assert periods.checkin_slot(date(2027, 3, 31), RULES) == datetime(2027, 3, 30, 8, tzinfo=UTC)
    assert periods.checkin_slot(date(2026, 10, 28), RULES) == datetime(2026, 10, 27, 9, tzinfo=UTC)
    # A week whose every window day is a holiday would have none (checked with a narrow window).
    narrow = parse_rules(
        {"checkin_window": {"weekdays": [2]}, "weekly_contact": {"checkin_weekday": 2}}
    )
    assert periods.checkin_slot(date(2026, 7, 14), narrow) is None


def test_reminder_after_3_days_then_counsellor_alert_after_7_days() -> None:
    sent = paris(2027, 3, 23, 10)  # Tuesday, before the DST change
    history = History(
        first_meeting_at=paris(2027, 1, 10, 10),
        last_contact_at=paris(2027, 3, 19, 10),
        last_checkin_at=sent,
        meetings_this_month=2,
        meetings_done_last_month=2,
    )
    p = settled(orientation_on=date(2027, 1, 4), diagnosis_3m_on=date(2027, 3, 20))
    # 72 h (rdv-insertion's 3 days): nothing on Thursday, the reminder on Friday at 10:00.
    thursday = paris(2027, 3, 25, 10, 30)
    assert "checkin_reminder" not in rules_of(due_actions(p, history, thursday, RULES))
    assert "checkin_reminder" not in rules_of(due_actions(p, history, paris(2027, 3, 26, 9), RULES))
    friday_late = paris(2027, 3, 26, 10, 30)
    reminder = one(due_actions(p, history, friday_late, RULES), "checkin_reminder")
    assert reminder.kind is Kind.REMIND
    assert reminder.key == "checkin_reminder:7:2027-W12"
    assert reminder.not_before == friday_late
    # 72 h after a Friday check-in is Monday, Easter Monday: Tuesday 09:00 CEST.
    friday = paris(2027, 3, 26, 10)
    history_friday = History(
        first_meeting_at=history.first_meeting_at,
        last_contact_at=paris(2027, 3, 19, 10),
        last_checkin_at=friday,
        meetings_this_month=history.meetings_this_month,
        meetings_done_last_month=2,
    )
    monday = paris(2027, 3, 29, 12)
    reminder = one(due_actions(p, history_friday, monday, RULES), "checkin_reminder")
    assert reminder.not_before == datetime(2027, 3, 30, 7, tzinfo=UTC)
    assert reminder.expires_at == friday + timedelta(days=7)
    week_later = paris(2027, 3, 30, 11)  # 7 x 24 h after 10:00 CET is 11:00 CEST
    actions = due_actions(p, history, week_later, RULES)
    assert "checkin_reminder" not in rules_of(actions)
    assert one(actions, "checkin_unanswered").key == "checkin_unanswered:7:2027-W12"


def test_an_answer_stops_the_reminder_and_the_alert() -> None:
    p = settled()
    sent = paris(2026, 12, 1, 10)
    answered = good_history(sent, last_checkin_at=sent, last_contact_at=sent + timedelta(hours=3))
    for now in (paris(2026, 12, 3, 11), paris(2026, 12, 9, 11)):
        assert {"checkin_reminder", "checkin_unanswered"}.isdisjoint(
            rules_of(due_actions(p, answered, now, RULES))
        )


def test_stop_means_no_reminder_but_the_counsellor_is_still_alerted() -> None:
    p = settled(reachable=False)
    sent = paris(2026, 12, 1, 10)
    history = good_history(sent, last_checkin_at=sent, last_contact_at=paris(2026, 11, 27, 9))
    assert "checkin_reminder" not in rules_of(
        due_actions(p, history, paris(2026, 12, 3, 11), RULES)
    )
    assert "checkin_unanswered" in rules_of(due_actions(p, history, paris(2026, 12, 8, 11), RULES))


def test_no_weekly_rule_before_the_first_meeting_nor_in_the_week_of_the_orientation() -> None:
    p = participant(orientation_on=date(2026, 11, 20))
    actions = due_actions(p, History(), paris(2026, 12, 3, 11), RULES)
    assert {"weekly_checkin", "no_contact_this_week"}.isdisjoint(rules_of(actions))
    p = participant(orientation_on=date(2026, 12, 2))
    met = History(first_meeting_at=paris(2026, 12, 2, 10))
    actions = due_actions(p, met, paris(2026, 12, 3, 11), RULES)
    assert {"weekly_checkin", "no_contact_this_week"}.isdisjoint(rules_of(actions))


# --- physical meetings per month -----------------------------------------------------------


def test_two_meetings_planned_by_the_15th() -> None:
    p = settled()
    on_14 = paris(2026, 12, 14, 10)
    one_meeting = good_history(on_14, meetings_this_month=1)
    assert "meetings_not_planned" not in rules_of(due_actions(p, one_meeting, on_14, RULES))
    on_15 = paris(2026, 12, 15, 10)
    task = one(due_actions(p, one_meeting, on_15, RULES), "meetings_not_planned")
    assert task.key == "meetings_not_planned:7:2026-12"
    booked = good_history(on_15, meetings_this_month=2)
    assert "meetings_not_planned" not in rules_of(due_actions(p, booked, on_15, RULES))


def test_a_month_with_fewer_than_two_meetings_done_alerts_at_the_month_end() -> None:
    p = settled()
    new_year = paris(2027, 1, 1, 0, 30)  # just after midnight Paris, still 31 Dec in UTC
    history = good_history(new_year, meetings_done_last_month=1)
    alert = one(due_actions(p, history, new_year, RULES), "meetings_missed")
    assert alert.key == "meetings_missed:7:2026-12" and alert.kind is Kind.ALERT
    assert "meetings_missed" not in rules_of(due_actions(p, history, paris(2027, 1, 8, 10), RULES))
    fine = good_history(new_year, meetings_done_last_month=2)
    assert "meetings_missed" not in rules_of(due_actions(p, fine, new_year, RULES))


def test_history_from_events_counts_meetings_by_paris_month() -> None:
    now = paris(2026, 12, 1, 10)
    history = History.from_events(
        now,
        meetings=[
            paris(2026, 11, 30, 23, 30),  # 22:30 UTC: still November in Paris
            paris(2026, 12, 1, 0, 30),  # 23:30 UTC on 30 Nov, but December in Paris
            paris(2026, 12, 10, 10),
        ],
        contacts=[paris(2026, 11, 20, 10)],
        checkins=[paris(2026, 11, 24, 10)],
    )
    assert history.meetings_done_last_month == 1
    assert history.meetings_this_month == 2
    assert history.next_meeting_at == paris(2026, 12, 10, 10)
    assert history.last_contact_at == paris(2026, 12, 1, 0, 30)
    assert history.first_meeting_at == paris(2026, 11, 30, 23, 30)


def test_the_month_a_participant_joins_is_not_counted() -> None:
    p = participant(orientation_on=date(2026, 11, 20), cer_signed_on=date(2026, 11, 25))
    now = paris(2026, 12, 1, 10)
    history = History(first_meeting_at=paris(2026, 11, 25, 10), last_contact_at=now)
    assert "meetings_missed" not in rules_of(due_actions(p, history, now, RULES))


# --- diagnosis, end, duration, caseload -------------------------------------------------------


def test_diagnosis_at_three_months_month_end_clamped() -> None:
    p = participant(orientation_on=date(2026, 8, 31), cer_signed_on=date(2026, 9, 5))
    assert periods.add_months(date(2026, 8, 31), 3) == date(2026, 11, 30)
    before = due_actions(p, good_history(paris(2026, 11, 22, 10)), paris(2026, 11, 22, 10), RULES)
    assert "diagnosis_3m_due" not in rules_of(before)
    week_before = paris(2026, 11, 23, 10)
    task = one(due_actions(p, good_history(week_before), week_before, RULES), "diagnosis_3m_due")
    assert "30/11/2026" in task.reason
    late = paris(2026, 12, 7, 10)
    assert "diagnosis_3m_overdue" in rules_of(due_actions(p, good_history(late), late, RULES))
    done = participant(
        orientation_on=date(2026, 8, 31),
        cer_signed_on=date(2026, 9, 5),
        diagnosis_3m_on=date(2026, 11, 30),
    )
    assert {"diagnosis_3m_due", "diagnosis_3m_overdue"}.isdisjoint(
        rules_of(due_actions(done, good_history(late), late, RULES))
    )


def test_programme_end_warning_and_final_diagnosis() -> None:
    p = settled(programme_end=date(2027, 2, 28))
    before = paris(2027, 2, 13, 10)
    assert "programme_end_approaching" not in rules_of(
        due_actions(p, good_history(before), before, RULES)
    )
    warn = paris(2027, 2, 14, 10)
    assert "programme_end_approaching" in rules_of(due_actions(p, good_history(warn), warn, RULES))
    after = paris(2027, 3, 8, 10)
    actions = due_actions(
        p, good_history(after, last_contact_at=paris(2027, 2, 26, 10)), after, RULES
    )
    assert "final_diagnosis_overdue" in rules_of(actions)
    assert {"weekly_checkin", "no_contact_this_week"}.isdisjoint(rules_of(actions))
    closed = settled(programme_end=date(2027, 2, 28), status="ended")
    assert due_actions(closed, History(), after, RULES) == []


def test_duration_outside_three_to_six_months_is_flagged() -> None:
    now = paris(2026, 10, 6, 10)
    short = settled(programme_end=date(2026, 11, 15))
    assert "duration_out_of_range" in rules_of(due_actions(short, good_history(now), now, RULES))
    fine = settled(programme_end=date(2027, 1, 15))
    assert "duration_out_of_range" not in rules_of(due_actions(fine, good_history(now), now, RULES))


def test_caseload_above_fifty() -> None:
    now = paris(2026, 12, 1, 10)
    assert caseload_actions(3, 50, now, RULES) == []
    (alert,) = caseload_actions(3, 51, now, RULES)
    assert alert.kind is Kind.ALERT and alert.key == "caseload_above_limit:c3:2026-W49"


def test_everything_in_order_means_nothing_to_do() -> None:
    p = settled()
    for now in (paris(2026, 12, 1, 11), paris(2026, 12, 16, 11), paris(2026, 12, 31, 17)):
        assert due_actions(p, good_history(now), now, RULES) == []


def test_keys_are_stable_for_the_same_period() -> None:
    p = settled(reachable=True)
    a = paris(2026, 12, 1, 10)
    b = paris(2026, 12, 1, 16)
    history = good_history(a, last_contact_at=paris(2026, 11, 27, 10))
    assert (
        one(due_actions(p, history, a, RULES), "weekly_checkin").key
        == one(due_actions(p, history, b, RULES), "weekly_checkin").key
    )
