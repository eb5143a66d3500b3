"""Enrolment from the console through the programme: a Telegram invitation, or SMS."""

from __future__ import annotations

from datetime import date, datetime

from starlette.exceptions import HTTPException

from capabilities.programme.enrolment import EnrolmentError, enrol, enrol_by_sms
from capabilities.programme.rules import Rules
from console.integrations import Enrolment
from core.clock import to_paris
from core.i18n import staff_gettext
from store.db import Session


def enrol_participant(
    session: Session,
    *,
    staff_id: int,
    label: str,
    orientation_on: date | None,
    phone: str | None,
    now: datetime,
    username: str | None,
    rules: Rules,
) -> Enrolment:
    """Enrol ``label`` followed by ``staff_id`` (their referent), oriented on ``orientation_on``
    (today unless given): the invitation code to hand over, or with ``phone`` (E.164) followed
    by SMS (no invitation, ``code`` empty). A refusal is a 400 saying why."""
    oriented = orientation_on or to_paris(now).date()
    try:
        if phone is not None:
            enrol_by_sms(
                session,
                name=label,
                phone=phone,
                orientation_on=oriented,
                counsellor_id=staff_id,
                now=now,
                rules=rules,
            )
            return Enrolment(code="", person_label=label)
        enrolled = enrol(
            session,
            name=label,
            orientation_on=oriented,
            counsellor_id=staff_id,
            now=now,
            username=username,
            rules=rules,
        )
    except EnrolmentError as error:
        raise HTTPException(
            400, staff_gettext("Inscription impossible : {error}.").format(error=error)
        ) from error
    return Enrolment(code=enrolled.code, person_label=label)
