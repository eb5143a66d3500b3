"""Admins edit the agenda: checks, bookings left out, and the bot's slots follow at once.

The test agenda (``conftest.py``): Saint-Pol Mon-Sat 9:00-12:00 with agents 1-3, the gare
Mon-Fri 14:00-17:00 with agent 1, a collective group (capacity 3) on Wednesdays at 14:00
in Saint-Pol, the gare closed on Friday 27 November. Now: Tuesday 24 November, 10:00.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from capabilities.appointments.admin import (
    AgendaError,
    EspaceInput,
    MotifInput,
    NeedsConfirmation,
    save_espace,
    save_motif,
)
from capabilities.appointments.admin_periods import (
    ClosureInput,
    PeriodInput,
    remove_closure,
    remove_period,
    save_closure,
    save_period,
)
from capabilities.appointments.agenda import forget_calendars, load_calendar, search
from capabilities.appointments.booking import book
from capabilities.appointments.config import Rules
from store.appointments import Booking, Motif, OpeningPeriod
from store.db import SessionFactory
from store.staff import Staff
from tests.appointments.conftest import NOW, add_people

RULES = Rules()
SATURDAY = date(2026, 11, 28)
THURSDAY_9H = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
WEDNESDAY_14H = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)


def slots_on(session: Session, espace: str, motif: str, day: date) -> list[str]:
    found = search(
        session, RULES, NOW, espace_ids=[espace], motif_ids=[motif], first_day=day, last_day=day
    )
    return [s.start.astimezone(UTC).strftime("%H:%M") for s in found]


def period_row(session: Session, espace: str, weekday: int, motif: str | None = None) -> int:
    return session.scalars(
        select(OpeningPeriod.id).where(
            OpeningPeriod.espace_id == espace,
            OpeningPeriod.weekday == weekday,
            OpeningPeriod.active.is_(True),
            OpeningPeriod.motif_id.is_(None) if motif is None else OpeningPeriod.motif_id == motif,
        )
    ).one()


def book_at(
    session: Session, person: int, motif: str, start: datetime, espace: str = "saint_pol"
) -> Booking:
    booking = book(
        session,
        person_id=person,
        espace_id=espace,
        motif_id=motif,
        start=start,
        now=NOW,
        rules=RULES,
    )
    session.commit()
    return booking


def add_agent(session: Session) -> int:
    """A fourth member of staff, free on Saturdays (agents 1-3 are in Saint-Pol)."""
    agent = Staff(name="Agent 4", email="s4@example.invalid")
    session.add(agent)
    session.commit()
    return agent.id


def problems(error: pytest.ExceptionInfo[AgendaError]) -> dict[str, str]:
    return {p.key: p.text(lambda s: s) for p in error.value.problems}


def test_a_new_period_is_offered_at_once_and_a_removed_one_no_more(
    any_sessions: SessionFactory,
) -> None:
    with any_sessions() as session:
        load_calendar(session, RULES)  # cached, as the bot's searches are
        assert slots_on(session, "gare", "info", SATURDAY) == []
        agent = add_agent(session)
        row = save_period(
            session,
            PeriodInput("gare", 5, time(9), time(12), staff_ids=(agent,)),
            period_id=None,
            now=NOW,
        )
        session.commit()
        forget_calendars()
        assert row.managed_by == "console"
        assert slots_on(session, "gare", "info", SATURDAY)[:2] == ["08:00", "08:30"]
        remove_period(session, row.id, now=NOW)
        session.commit()
        forget_calendars()
        assert slots_on(session, "gare", "info", SATURDAY) == []
        assert session.get(OpeningPeriod, row.id) is not None  # kept, inactive


@pytest.mark.parametrize(
    ("period", "field", "words"),
    [
        (PeriodInput("gare", 5, time(12), time(9), staff_ids=(4,)), "end", "fin doit être après"),
        (PeriodInput("gare", 5, time(9), time(12)), "staff", "au moins une personne"),
        (PeriodInput("gare", 5, time(9), time(12), staff_ids=(99,)), "staff", "inconnu"),
        (PeriodInput("gare", 5, time(9), time(9, 15), staff_ids=(4,)), "end", "plus courte"),
        (PeriodInput("nulle_part", 5, time(9), time(12), staff_ids=(4,)), "espace_id", "Espace"),
        (PeriodInput("gare", 5, time(9), None, motif_id="info"), "motif_id", "atelier collectif"),
        (
            PeriodInput("gare", 5, time(14), None, motif_id="group", capacity=0),
            "capacity",
            "au moins 1 place",
        ),
        (
            PeriodInput(
                "gare",
                5,
                time(9),
                time(12),
                staff_ids=(4,),
                valid_from=date(2027, 1, 1),
                valid_until=date(2026, 12, 1),
            ),
            "valid_until",
            "avant celle de début",
        ),
        (
            PeriodInput("gare", 0, time(11), time(13), staff_ids=(1,)),
            "staff",
            "Agent 1 est déjà présent(e) le lundi de 9 h 00 à 12 h 00",
        ),
        (
            PeriodInput("saint_pol", 2, time(15), None, motif_id="group"),
            "start",
            "a déjà lieu le mercredi de 14 h 00 à 16 h 00",
        ),
    ],
)
def test_a_wrong_period_is_refused_with_a_clear_reason(
    sessions: SessionFactory, period: PeriodInput, field: str, words: str
) -> None:
    with sessions() as session:
        add_agent(session)  # n° 4: the periods below are valid but for the problem tested
        before = session.scalar(select(func.count()).select_from(OpeningPeriod))
        with pytest.raises(AgendaError) as refused:
            save_period(session, period, period_id=None, now=NOW)
        assert words in problems(refused)[field]
        assert session.scalar(select(func.count()).select_from(OpeningPeriod)) == before


def test_periods_of_one_person_on_other_dates_do_not_overlap(sessions: SessionFactory) -> None:
    with sessions() as session:
        agent = add_agent(session)
        until = date(2026, 12, 31)
        save_period(
            session,
            PeriodInput("gare", 6, time(9), time(12), staff_ids=(agent,), valid_until=until),
            period_id=None,
            now=NOW,
        )
        with pytest.raises(AgendaError):
            save_period(
                session,
                PeriodInput(
                    "gare", 6, time(10), time(11), staff_ids=(agent,), valid_from=date(2026, 12, 1)
                ),
                period_id=None,
                now=NOW,
            )
        saved = save_period(
            session,
            PeriodInput(
                "gare", 6, time(10), time(11), staff_ids=(agent,), valid_from=date(2027, 1, 1)
            ),
            period_id=None,
            now=NOW,
        )
        assert saved.id is not None


def test_editing_a_period_counts_the_bookings_it_would_leave_out(sessions: SessionFactory) -> None:
    with sessions() as session:
        (person,) = add_people(session, 1)
        booking = book_at(session, person, "info", THURSDAY_9H)
        thursday = period_row(session, "saint_pol", 3)
        later = PeriodInput("saint_pol", 3, time(10), time(12), staff_ids=(1, 2, 3))
        with pytest.raises(NeedsConfirmation) as asked:
            save_period(session, later, period_id=thursday, now=NOW)
        assert asked.value.count == 1
        text = asked.value.problem.text(lambda s: s)
        assert text.startswith("1 rendez-vous déjà pris (le 26/11/2026 à 9 h 00)")
        with pytest.raises(NeedsConfirmation):  # a wrong number asks again
            save_period(session, later, period_id=thursday, now=NOW, confirmed=2)
        save_period(session, later, period_id=thursday, now=NOW, confirmed=1)
        session.commit()
        assert session.get(Booking, booking.id).status == "booked"  # type: ignore[union-attr]
        # a change that keeps covering the booking needs no confirmation
        save_period(
            session,
            PeriodInput("saint_pol", 3, time(10), time(12, 30), staff_ids=(1, 2, 3)),
            period_id=thursday,
            now=NOW,
        )


def test_removing_a_period_with_bookings_says_how_many(sessions: SessionFactory) -> None:
    with sessions() as session:
        people = add_people(session, 2)
        book_at(session, people[0], "group", WEDNESDAY_14H)
        book_at(session, people[1], "group", WEDNESDAY_14H)
        wednesday = period_row(session, "saint_pol", 2, "group")
        with pytest.raises(NeedsConfirmation) as asked:
            remove_period(session, wednesday, now=NOW)
        assert asked.value.count == 2
        remove_period(session, wednesday, now=NOW, confirmed=2)
        session.commit()
        assert (
            session.scalar(
                select(func.count()).select_from(Booking).where(Booking.status == "booked")
            )
            == 2
        )


def test_motif_checks_keep_existing_bookings_valid(sessions: SessionFactory) -> None:
    with sessions() as session:
        people = add_people(session, 2)
        book_at(session, people[0], "group", WEDNESDAY_14H)
        book_at(session, people[1], "group", WEDNESDAY_14H)
        group = MotifInput("group", "Booster", 120, "collective", capacity=3, rsa=True)
        with pytest.raises(AgendaError) as refused:
            save_motif(
                session, MotifInput("group", "Booster", 120, "individual"), new=False, now=NOW
            )
        assert "ne peut pas changer de type" in problems(refused)["kind"]
        with pytest.raises(AgendaError) as refused:
            save_motif(
                session,
                MotifInput("group", "Booster", 120, "collective", capacity=1),
                new=False,
                now=NOW,
            )
        assert "2 places sont déjà réservées" in problems(refused)["capacity"]
        with pytest.raises(NeedsConfirmation) as asked:
            save_motif(
                session,
                MotifInput("group", "Booster", 120, "collective", capacity=3, active=False),
                new=False,
                now=NOW,
            )
        assert asked.value.count == 2
        group.duration_min = 90
        motif = save_motif(session, group, new=False, now=NOW)
        session.commit()
        assert motif.managed_by == "console"
        wednesday = session.get(OpeningPeriod, period_row(session, "saint_pol", 2, "group"))
        assert wednesday is not None and wednesday.end == time(15, 30)


@pytest.mark.parametrize(
    ("motif", "field", "words"),
    [
        (MotifInput("Bad Id", "x", 30, "individual"), "id", "Identifiant invalide"),
        (MotifInput("info", "x", 30, "individual"), "id", "déjà pris"),
        (MotifInput("cv", "", 30, "individual"), "label", "obligatoire"),
        (MotifInput("cv", "CV", 0, "individual"), "duration_min", "positif"),
        (MotifInput("cv", "CV", -15, "individual"), "duration_min", "positif"),
        (MotifInput("cv", "CV", 60, "collective", capacity=0), "capacity", "au moins 1 place"),
        (MotifInput("cv", "CV", 60, "collective"), "capacity", "au moins 1 place"),
        (MotifInput("cv", "CV", 60, "solo"), "kind", "individuel ou collectif"),
    ],
)
def test_a_wrong_motif_is_refused(
    sessions: SessionFactory, motif: MotifInput, field: str, words: str
) -> None:
    with sessions() as session, pytest.raises(AgendaError) as refused:
        save_motif(session, motif, new=True, now=NOW)
    assert words in problems(refused)[field]


def test_a_new_motif_comes_last_and_is_bookable(sessions: SessionFactory) -> None:
    with sessions() as session:
        motif = save_motif(
            session, MotifInput("cv", "Atelier CV", 60, "individual"), new=True, now=NOW
        )
        session.commit()
        forget_calendars()
        assert motif.position == 3
        assert slots_on(session, "saint_pol", "cv", date(2026, 11, 26)) == [
            "08:00",
            "09:00",
            "10:00",
        ]


def test_espaces_details_checks_and_closing(sessions: SessionFactory) -> None:
    with sessions() as session:
        with pytest.raises(AgendaError) as refused:
            save_espace(
                session,
                EspaceInput("Grande Synthe", "", "", phone="appelez-nous", latitude=51.0),
                new=True,
                now=NOW,
            )
        found = problems(refused)
        assert set(found) == {"id", "name", "commune", "phone", "latitude"}
        (person,) = add_people(session, 1)
        book_at(session, person, "info", THURSDAY_9H)
        closed = EspaceInput("saint_pol", "Espace de Saint-Pol", "Saint-Pol-sur-Mer", active=False)
        with pytest.raises(NeedsConfirmation) as asked:
            save_espace(session, closed, new=False, now=NOW)
        assert asked.value.count == 1
        save_espace(session, closed, new=False, now=NOW, confirmed=1)
        session.commit()
        forget_calendars()
        assert slots_on(session, "saint_pol", "info", date(2026, 11, 26)) == []
        added = save_espace(
            session,
            EspaceInput(
                "synthe", "Espace de Grande-Synthe", "Grande-Synthe", phone="03 28 00 00 00"
            ),
            new=True,
            now=NOW,
        )
        assert added.address is None and added.managed_by == "console"


def test_a_closure_counts_the_bookings_of_that_day_and_can_be_lifted(
    sessions: SessionFactory,
) -> None:
    with sessions() as session:
        with pytest.raises(AgendaError) as refused:
            save_closure(session, ClosureInput("saint_pol", date(2026, 11, 20)), now=NOW)
        assert "déjà passée" in problems(refused)["day"]
        with pytest.raises(AgendaError) as refused:
            save_closure(session, ClosureInput("saint_pol", SATURDAY, start=time(9)), now=NOW)
        assert "aucune des deux" in problems(refused)["end"]
        (person,) = add_people(session, 1)
        book_at(session, person, "info", THURSDAY_9H)
        thursday = date(2026, 11, 26)
        afternoon = ClosureInput("saint_pol", thursday, time(11), time(12), "Réunion")
        closure = save_closure(session, afternoon, now=NOW)  # the booking is at 9:00
        with pytest.raises(NeedsConfirmation) as asked:
            save_closure(session, ClosureInput("saint_pol", thursday), now=NOW)
        assert asked.value.count == 1
        session.commit()
        forget_calendars()
        assert "10:00" not in slots_on(session, "saint_pol", "info", thursday)
        remove_closure(session, closure.id)
        session.commit()
        forget_calendars()
        assert "10:00" in slots_on(session, "saint_pol", "info", thursday)
        with pytest.raises(AgendaError):
            remove_closure(session, closure.id)
        assert session.get(Motif, "info") is not None
