"""« Faire le point sur ma situation »: a few questions, then « Votre plan ».

Buttons first; every question can be skipped and says why it is asked; free text is read
where it fits (:mod:`.questions`). The answers wait in the conversation state; they are kept
(``personal_plans``) only when the person says yes at the end, and only what the plan needs.
Payload prefix ``plan:``; the diagram is ``flow.mmd`` beside this file.
"""

from __future__ import annotations

from enum import StrEnum
from itertools import pairwise
from typing import Any, ClassVar

from capabilities.appointments.steps import NAME as BOOKING
from capabilities.appointments.steps import Step as BookingStep
from capabilities.appointments.steps import advance
from capabilities.conversation.keyboards import footer_row
from capabilities.conversation.machine import ANY, Machine, moves
from capabilities.conversation.registry import Flow
from capabilities.conversation.turn import Turn
from capabilities.information.info import InfoFlow
from capabilities.plan.buttons import action_label
from capabilities.plan.document import plan_pdf
from capabilities.plan.questions import BY_KEY, QUESTIONS, Question, prefill, read
from capabilities.plan.render import plan_text, stored_steps
from capabilities.plan.rules import Agenda, Bookable, Step, plan
from core.i18n import N_, ngettext_for
from core.messages import Button, Reply
from store import repo_agenda, repo_plan

NAME = "plan"
ESCAPE = {"affirm", "deny", "out_of_scope", "make_plan", None}  # intents that stay in the flow


class Ask(StrEnum):
    """Where « Faire le point » is: the question asked, then whether to keep the plan."""

    GOAL = "goal"
    AGE = "age"
    DIPLOMA = "diploma"
    LICENCE = "licence"
    CHILDREN = "children"
    STATUS = "status"
    TRADES = "trades"
    CONSTRAINT = "constraint"
    KEEP = "keep"


ORDER = [Ask(q.key) for q in QUESTIONS]
CHOICE_KEYS = {q.key for q in QUESTIONS} - {"trades"}
NO_LICENCE = N_("Pas de permis")  # the only licence answer read from a first sentence
MACHINE = Machine(
    NAME,
    Ask,
    moves(
        (None, Ask.GOAL, "make_plan, plan:start or plan:new (no plan kept, or « refaire »)"),
        *((None, a, "make_plan whose words already answer the first questions") for a in ORDER[1:]),
        (None, None, "plan:start with a plan kept: « Mon plan »; plan:go:<n>, plan:pdf"),
        *((a, b, "plan:a:<answer> or plan:skip, or typed") for a, b in pairwise(ORDER)),
        *(
            (a, c, "typed text that answers later questions too")
            for i, a in enumerate(ORDER)
            for c in ORDER[i + 2 :]
        ),
        *((a, Ask.KEEP, "the last question answered or skipped") for a in ORDER[:-1]),
        (Ask.CONSTRAINT, Ask.KEEP, "plan:a:<answer> or plan:skip: « Votre plan », keep it?"),
        (Ask.KEEP, None, "plan:keep:yes (stored, counted) or plan:keep:no (nothing kept)"),
        (ANY, Ask.GOAL, "plan:new or plan:start (no plan kept): the questions again"),
        (ANY, None, "plan:stop, plan:go:<n> (a card, or the booking of its motif), old button"),
    ),
    (
        "« Faire le point » (capabilities/plan/flow.py). Payload prefix: plan:",
        "plan:why:<q> and a text not understood stay on the question (buttons again).",
    ),
)


def agenda_of(turn: Turn) -> Agenda:
    """The Espaces and motifs that can be booked now."""
    espaces = tuple(
        Bookable(e.id, e.name, e.commune) for e in repo_agenda.open_espaces(turn.session)
    )
    motifs = frozenset(m.id for m in repo_agenda.active_motifs(turn.session))
    return Agenda(espaces, motifs)


class PlanFlow(Flow):
    """Questions → plan → kept (or not); « Mon plan » to see it again and act on it."""

    name: ClassVar[str] = NAME
    intents: ClassVar[tuple[str, ...]] = ("make_plan",)
    machine = MACHINE

    def start(self, turn: Turn) -> list[Reply]:
        """From words: the plan kept, or the first question."""
        if repo_plan.get(turn.session, turn.person.id) is not None:
            turn.finish()
            return self._mine(turn)
        return self._begin(turn)

    def on_button(self, turn: Turn, args: list[str]) -> list[Reply]:
        """``plan:<action>:<args>``; a stale question button gets the current question."""
        action, rest = (args[0], args[1:]) if args else ("start", [])
        if action in ("start", "mine"):
            return self.start(turn)
        if action == "new":
            return self._begin(turn)
        if action == "go" and rest and rest[0].isdigit():
            return self._go(turn, int(rest[0]))
        if action == "pdf":
            return self._pdf(turn)
        if action == "stop":
            turn.finish()
            return [
                Reply(
                    text=turn._("D'accord, on arrête là. Rien n'est gardé."),
                    buttons=(footer_row(turn),),
                )
            ]
        if turn.flow != self.name:
            return self.start(turn)
        if turn.step == Ask.KEEP:
            if action == "keep":
                return self._keep(turn, rest[:1] == ["yes"])
            return [self._keep_reply(turn)]
        question = BY_KEY.get(turn.step or "")
        if question is None or not rest or rest[0] != question.key:
            return [self._ask(turn, turn._("Ce bouton n'est plus valable. Voici la question :"))]
        if action == "why":
            return [self._ask(turn, turn._(question.why))]
        if action == "a" and len(rest) == 2 and rest[1] in dict(question.options):
            value: Any = [rest[1]] if question.key == "trades" else rest[1]
            return self._next(turn, {question.key: value})
        if action == "skip":
            return self._next(turn, {})
        return [self._ask(turn, turn._("Ce bouton n'est plus valable. Voici la question :"))]

    def on_text(self, turn: Turn) -> list[Reply] | None:
        """Typed answers where they fit; another question leaves the flow (the router answers)."""
        question = BY_KEY.get(turn.step or "")
        if question is None:
            if turn.step == Ask.KEEP and turn.intent in ("affirm", "deny"):
                return self._keep(turn, turn.intent == "affirm")
            return None if turn.intent not in ESCAPE else [self._keep_reply(turn)]
        found = read(turn, question.key, turn.now)
        if question.key in found:
            return self._next(turn, found)
        if turn.intent not in ESCAPE and turn.confidence >= turn.settings.nlu_threshold:
            return None
        if found:  # something for a later question: keep it, ask this one again
            turn.update(answers={**turn.data.get("answers", {}), **found})
        return [
            self._ask(
                turn, turn._("Je n'ai pas bien compris. Choisissez une réponse, ou « Passer » :")
            )
        ]

    # --- the questions -------------------------------------------------------------------
    def _begin(self, turn: Turn) -> list[Reply]:
        _ = turn._
        found = prefill(turn) if turn.flow != self.name else {}
        turn.enter(self.name, Ask.GOAL, answers={})
        ngettext = ngettext_for(turn.locale)
        intro = ngettext(
            "Faisons le point. {count} question courte, puis je vous propose un plan.\n"
            "Vous pouvez passer chaque question.",
            "Faisons le point. {count} questions courtes, puis je vous propose un plan.\n"
            "Vous pouvez passer chaque question.",
            len(QUESTIONS),
        ).format(count=len(QUESTIONS))
        if not found:
            return [Reply(text=intro), self._ask(turn)]
        labels = [
            NO_LICENCE if k == "licence" else dict(BY_KEY[k].options)[v]
            for k, v in found.items()
            if k in CHOICE_KEYS
        ]
        noted = [_(label) for label in labels]
        if noted:
            intro += "\n" + _("J'ai déjà noté : {answers}.").format(answers=", ".join(noted))
        turn.update(answers=found)
        first = next((s for s in ORDER if s not in found), None)
        if first is None:
            turn.goto(Ask.KEEP)
            return [Reply(text=intro), *self._result(turn, found)]
        if first != Ask.GOAL:
            turn.goto(first)
        return [Reply(text=intro), self._ask(turn)]

    def _ask(self, turn: Turn, intro: str = "") -> Reply:
        _ = turn._
        question = BY_KEY[turn.step or Ask.GOAL]
        number = ORDER.index(Ask(question.key)) + 1
        text = _("Question {n} sur {total}").format(n=number, total=len(QUESTIONS))
        text = (
            f"{intro}\n\n{text}\n{_(question.prompt)}" if intro else f"{text}\n{_(question.prompt)}"
        )
        buttons = [
            Button(_(label), turn.stamp(f"plan:a:{question.key}:{value}"))
            for value, label in question.options
        ]
        rows: list[tuple[Button, ...]] = [
            tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)
        ]
        rows.append(
            (
                Button(action_label(_, "skip"), turn.stamp(f"plan:skip:{question.key}")),
                Button(action_label(_, "why"), turn.stamp(f"plan:why:{question.key}")),
            )
        )
        rows.append((Button(action_label(_, "stop"), "plan:stop"),))
        return Reply(text=text, buttons=tuple(rows))

    def _next(self, turn: Turn, found: dict[str, Any]) -> list[Reply]:
        answers = {**turn.data.get("answers", {}), **found}
        asked = set(turn.data.get("asked", [])) | {turn.step or ""}
        turn.update(answers=answers, asked=sorted(asked))
        for step in ORDER:
            if step not in asked and step not in answers:
                turn.goto(step)
                return [self._ask(turn)]
        turn.goto(Ask.KEEP)
        return self._result(turn, answers)

    # --- the plan ------------------------------------------------------------------------
    def _result(self, turn: Turn, answers: dict[str, Any]) -> list[Reply]:
        answers = {**answers, "commune": turn.person.commune} if turn.person.commune else answers
        agenda = agenda_of(turn)
        made = plan(answers, turn.services.catalog, agenda, turn.now.date())
        turn.update(steps=[{"rule": s.rule, "key": s.key, "espace": s.espace} for s in made.steps])
        turn.update(notes=[note["fr"] for note in made.notes])
        return [Reply(text=plan_text(turn, made.steps, agenda)), self._keep_reply(turn)]

    def _keep_reply(self, turn: Turn) -> Reply:
        _ = turn._
        text = _(
            "Je garde ce plan ? Vous pourrez le revoir : écrivez « mon plan ».\n"
            "Votre conseiller le verra avant votre rendez-vous.\n"
            "Je garde seulement vos réponses et les étapes. /supprimer efface tout."
        )
        return Reply(
            text=text,
            buttons=(
                (
                    Button(action_label(_, "keep:yes"), turn.stamp("plan:keep:yes")),
                    Button(action_label(_, "keep:no"), turn.stamp("plan:keep:no")),
                ),
            ),
        )

    def _keep(self, turn: Turn, keep: bool) -> list[Reply]:
        data = turn.data
        steps, answers = list(data.get("steps", [])), dict(data.get("answers", {}))
        turn.finish()
        if not keep:
            return [
                Reply(
                    text=turn._(
                        "D'accord, je ne garde rien. Votre plan reste dans les messages ci-dessus."
                    ),
                    buttons=(footer_row(turn),),
                )
            ]
        answers = {k: v for k, v in answers.items() if k in BY_KEY or k == "layoff"}
        repo_plan.save(
            turn.session,
            turn.person.id,
            answers=answers,
            steps=steps,
            notes=list(data.get("notes", [])),
            now=turn.now,
        )
        return self._mine(turn, turn._("C'est gardé. Voici votre plan :"))

    def _mine(self, turn: Turn, intro: str = "") -> list[Reply]:
        _ = turn._
        row = repo_plan.get(turn.session, turn.person.id)
        if row is None:
            return self._begin(turn)
        steps = stored_steps(row.steps)
        text = plan_text(turn, steps, agenda_of(turn))
        rows: list[tuple[Button, ...]] = [
            (Button(f"{n}. {self._label(turn, step)}", f"plan:go:{n}"),)
            for n, step in enumerate(steps, start=1)
        ]
        extra = [Button(action_label(_, "new"), "plan:new")]
        if turn.locale != "ar":  # the PDF fonts do not shape Arabic: the text above is the plan
            extra.insert(0, Button(action_label(_, "pdf"), "plan:pdf"))
        rows.append(tuple(extra))
        rows.append(footer_row(turn))
        return [Reply(text=f"{intro}\n\n{text}" if intro else text, buttons=tuple(rows))]

    def _label(self, turn: Turn, step: Step) -> str:
        if step.kind == "book":
            return turn._("Prendre rendez-vous")
        card = turn.services.catalog.card(step.target)
        return card.title.get(turn.locale) or card.title["fr"]

    def _go(self, turn: Turn, number: int) -> list[Reply]:
        row = repo_plan.get(turn.session, turn.person.id)
        steps = stored_steps(row.steps) if row else ()
        if not 1 <= number <= len(steps):
            turn.finish()
            return self._mine(turn)
        step = steps[number - 1]
        repo_plan.taken(turn.session, turn.person.id, step.key, turn.now)
        if step.kind == "card":
            turn.finish()
            return [InfoFlow().card(turn, step.target)]
        if step.espace:
            turn.enter(BOOKING, BookingStep.DAY, motif=step.target, espace=step.espace)
        else:
            turn.enter(BOOKING, BookingStep.ESPACE, motif=step.target)
        return advance(turn)

    def _pdf(self, turn: Turn) -> list[Reply]:
        row = repo_plan.get(turn.session, turn.person.id)
        if row is None:
            return self.start(turn)
        document = plan_pdf(turn, stored_steps(row.steps), agenda_of(turn))
        return [
            Reply(
                text=turn._("Voici votre plan en PDF."),
                document=document,
                buttons=(footer_row(turn),),
            )
        ]


__all__ = ["MACHINE", "PlanFlow", "Question"]
