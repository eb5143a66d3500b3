"""Replies as one SMS: the text, then the buttons as numbered answers, within two segments.

Buttons with a payload become ``1 Ça va bien`` lines; the person answers with the digit.
Links, venues and documents do not travel by SMS (cost, and a link in an SMS looks like a
scam): the text says where to find them. The answers are kept whole; only the text is cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.messages import Reply
from sms.segments import fit, gsm_friendly, segments

MAX_SEGMENTS = 2
ANSWER_HINT = "Répondez par le chiffre."
SKIPPED = {"menu", "human:ask"}  # the menu of the chat: not an answer to this message


@dataclass(frozen=True)
class Sms:
    """One SMS to send and the payload each digit stands for."""

    text: str
    choices: tuple[str, ...]

    @property
    def segments(self) -> int:
        """Billed segments."""
        return segments(self.text)


def render(replies: Sequence[Reply], *, max_segments: int = MAX_SEGMENTS) -> Sms:
    """The replies as one SMS of at most ``max_segments`` segments."""
    texts = [r.text.strip() for r in replies if r.text.strip()]
    for reply in replies:
        if reply.venue is not None:
            texts.append(f"Adresse : {reply.venue.title}, {reply.venue.address}")
    body = gsm_friendly("\n".join(texts))
    buttons = [
        b for r in replies for b in r.flat_buttons() if b.payload and b.payload not in SKIPPED
    ]
    buttons = buttons[:9]  # one digit each
    choices = tuple(b.payload for b in buttons)
    if not buttons:
        return Sms(fit(body, max_segments), ())
    answers = "\n".join(f"{i} {gsm_friendly(b.label)}" for i, b in enumerate(buttons, 1))
    tail = f"\n{answers}\n{ANSWER_HINT}"
    if segments(tail) > max_segments:  # too many answers: keep the first ones that fit
        while len(buttons) > 1 and segments(tail) > max_segments:
            buttons.pop()
            answers = "\n".join(f"{i} {gsm_friendly(b.label)}" for i, b in enumerate(buttons, 1))
            tail = f"\n{answers}\n{ANSWER_HINT}"
        choices = tuple(b.payload for b in buttons)
    text = body + tail
    if segments(text) > max_segments:
        words = body.split(" ")
        while words and segments(" ".join(words) + "..." + tail) > max_segments:
            words.pop()
        text = " ".join(words) + "..." + tail
    return Sms(text, choices)
