"""The intake summary a counsellor reads before the first meeting, and their corrections.

Built from the plan the person kept: each answer in words (and the counsellor's correction
beside what the person said), the steps proposed, which were taken, the notes on
contradictory answers. The console shows it on the person's page and in the day view.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from capabilities.information.catalog import Catalog
from capabilities.plan.questions import BY_KEY, QUESTIONS
from core.i18n import N_, staff_gettext, staff_locale
from store import repo_plan
from store.appointments import Motif
from store.db import Session

NONE_LABEL = N_("— (passée)")
# The console's short names of the questions (the person's wording is in .questions).
SHORT = {
    "goal": N_("Recherche"),
    "age": N_("Âge"),
    "diploma": N_("Diplôme"),
    "licence": N_("Permis"),
    "children": N_("Enfants à garder"),
    "status": N_("RSA / France Travail"),
    "trades": N_("Métiers"),
    "constraint": N_("Difficulté"),
    "layoff": N_("Licenciement"),
}
CORRECTABLE = tuple(q.key for q in QUESTIONS if q.key != "trades")


@dataclass(frozen=True)
class Line:
    """One answer: the question, what the person said, the correction if any."""

    key: str
    question: str
    said: str
    corrected: str | None = None
    corrected_by: str | None = None
    skipped: bool = False  # the person passed the question


@dataclass(frozen=True)
class Intake:
    """The summary of one person's plan."""

    person_id: int
    updated_at: datetime
    lines: tuple[Line, ...]
    steps: tuple[tuple[str, bool], ...]  # (step in words, taken)
    notes: tuple[str, ...]
    comment: str | None

    @property
    def short(self) -> str:
        """One line for the day view: the answers given, the corrections marked."""
        parts = [
            line.corrected or line.said for line in self.lines if not line.skipped or line.corrected
        ]
        return " · ".join(parts) or staff_gettext("Toutes les questions passées")


def _title(catalog: Catalog, card: str) -> str:
    titles = catalog.card(card).title
    return titles.get(staff_locale()) or titles["fr"]


def label(key: str, value: Any, catalog: Catalog) -> str:
    """An answer in words, in the staff's language (``STAFF_LANGUAGE``)."""
    if value in (None, "", []):
        return staff_gettext(NONE_LABEL)
    if key == "layoff":
        return staff_gettext("Licenciement mentionné")
    question = BY_KEY.get(key)
    options = dict(question.options) if question else {}
    values = value if isinstance(value, list) else [value]
    words = []
    for item in values:
        if item in options:
            words.append(staff_gettext(options[item]))
        elif item in catalog:
            words.append(_title(catalog, item))
        else:
            words.append(str(item))
    return ", ".join(words)


def step_words(session: Session, key: str, catalog: Catalog) -> str:
    """``book:conseil`` → "RDV : Rencontre avec un conseiller"; ``card:x`` → its title."""
    kind, _, target = key.partition(":")
    if kind == "book":
        motif = session.get(Motif, target)
        return staff_gettext("RDV : {motif}").format(motif=motif.label if motif else target)
    if target not in catalog:
        return key
    return staff_gettext("Fiche : {title}").format(title=_title(catalog, target))


def intake(session: Session, person_id: int, catalog: Catalog) -> Intake | None:
    """The person's intake summary, ``None`` when they kept no plan."""
    return intakes(session, [person_id], catalog).get(person_id)


def intakes(session: Session, person_ids: list[int], catalog: Catalog) -> dict[int, Intake]:
    """The summaries of these people (the day view), by person id."""
    out: dict[int, Intake] = {}
    for person_id, row in repo_plan.plans_of(session, person_ids).items():
        corrections = row.corrections or {}
        lines = []
        for key in [q.key for q in QUESTIONS] + ["layoff"]:
            fix = corrections.get(key)
            if key == "layoff" and key not in row.answers and not fix:
                continue
            lines.append(
                Line(
                    key,
                    staff_gettext(SHORT[key]),
                    label(key, row.answers.get(key), catalog),
                    label(key, fix["value"], catalog) if fix else None,
                    fix.get("by") if fix else None,
                    skipped=row.answers.get(key) in (None, "", []),
                )
            )
        taken = repo_plan.taken_steps(session, person_id, row.updated_at)
        steps = tuple(
            (step_words(session, s["key"], catalog), s["key"] in taken) for s in row.steps
        )
        out[person_id] = Intake(
            person_id, row.updated_at, tuple(lines), steps, tuple(row.notes or ()), row.comment
        )
    return out


def correct(
    session: Session, person_id: int, key: str, value: str, *, by: str, now: datetime
) -> bool:
    """A counsellor's correction of one answer (an unknown answer or value is refused)."""
    question = BY_KEY.get(key)
    if key not in CORRECTABLE or question is None:
        return False
    if value not in dict(question.options) and value != "":
        return False
    return repo_plan.correct(session, person_id, key, value or None, by=by, now=now) is not None


def set_comment(session: Session, person_id: int, text: str | None) -> bool:
    """The counsellor's note on the intake; False when the person kept no plan."""
    return repo_plan.set_comment(session, person_id, text) is not None


@dataclass(frozen=True)
class Week:
    """One week of the indicators."""

    label: str
    made: int
    proposed: int
    taken: int
    top: tuple[tuple[str, int, int], ...]  # (step in words, proposed, taken), most proposed first


def weeks(session: Session, now: datetime, catalog: Catalog, count: int = 8) -> list[Week]:
    """The last ``count`` ISO weeks, oldest first, empty weeks included."""
    start = now - timedelta(weeks=count - 1, days=now.weekday())
    start = start.replace(hour=0, minute=0, second=0, microsecond=0)
    counted = repo_plan.weekly(session, start)
    out: list[Week] = []
    for index in range(count):
        year, week, _ = (start + timedelta(weeks=index)).isocalendar()
        key = f"{year}-W{week:02d}"
        counter = counted.get(key, Counter())
        steps = {
            name.split(":", 1)[1] for name in counter if name.startswith(("proposed:", "taken:"))
        }
        top = sorted(
            (
                (step_words(session, s, catalog), counter[f"proposed:{s}"], counter[f"taken:{s}"])
                for s in steps
            ),
            key=lambda item: (-item[1], item[0]),
        )
        out.append(
            Week(f"S{week}", counter["made"], counter["proposed"], counter["taken"], tuple(top))
        )
    return out
